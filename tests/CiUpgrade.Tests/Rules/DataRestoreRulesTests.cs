using CiUpgrade.Plans;
using CiUpgrade.Rules;
using k8s.Models;

namespace CiUpgrade.Tests.Rules;

/// <summary>The pure decisions of a data restore (issue 20): has the migration run, redis-config without persistence, the progress record.</summary>
public sealed class DataRestoreRulesTests
{
    private const string Source = "registry.redhat.io/3scale-amp26/system@sha256:aaaa";
    private const string Target = "registry.redhat.io/3scale-amp2/system-rhel7@sha256:bbbb";

    private static readonly PreHookSetting Hook = Samples.Plan.PreHook!;

    private static readonly Dictionary<string, string> SourceImages = new(StringComparer.Ordinal) { ["system-master"] = Source };

    private static IReadOnlyList<string> Rendered(IReadOnlyList<string> template) => [.. PreHookCommand.Render(template, Hook, "s3cr3t")];

    private static Deployment App(long version, string? phase, string image, IReadOnlyList<string> hook, V1Pod? hookPod = null) =>
        new($"system-app-{version}", version, phase, new Dictionary<string, string>(StringComparer.Ordinal) { ["system-master"] = image }, (hook, "system-master"), hookPod);

    private static V1Pod HookPod(V1ContainerState state) => new()
    {
        Metadata = new V1ObjectMeta { Name = "system-app-2-hook-pre" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "lifecycle", Image = Target, Command = [.. Rendered(Hook.Target)] }] },
        Status = new V1PodStatus { ContainerStatuses = [new V1ContainerStatus { Name = "lifecycle", State = state }] },
    };

    private static MigrationEvidence? Find(params Deployment[] deployments) => MigrationCheck.Find(Hook, "2.7", deployments, SourceImages, restoredThrough: 0);

    [Fact]
    public void The_migration_has_run_once_a_deployment_with_the_target_hook_on_the_target_image_completed()
    {
        var evidence = Find(App(1, "Complete", Source, Rendered(Hook.Source)), App(2, "Complete", Target, Rendered(Hook.Target)));

        Assert.NotNull(evidence);
        Assert.Equal("system-app-2", evidence.Deployment);
        Assert.Contains("ran the 2.7 pre hook on " + Target + " and is Complete", evidence.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_target_hook_on_the_source_image_never_migrates_review_N1()
    {
        Assert.Null(Find(App(1, "Complete", Source, Rendered(Hook.Source)), App(2, "Failed", Source, Rendered(Hook.Target))));
    }

    [Fact]
    public void The_source_hook_on_any_image_is_no_migration()
    {
        Assert.Null(Find(App(2, "Complete", Target, Rendered(Hook.Source))));
    }

    [Fact]
    public void A_failed_deployment_whose_hook_ran_counts_as_run_and_one_whose_hook_never_started_does_not()
    {
        var ran = Find(App(2, "Failed", Target, Rendered(Hook.Target), HookPod(new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1 } })));
        var neverStarted = Find(App(2, "Failed", Target, Rendered(Hook.Target), HookPod(new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ImagePullBackOff" } })));

        Assert.NotNull(ran);
        Assert.Contains("ran to exit 1", ran.Why, StringComparison.Ordinal);
        Assert.Null(neverStarted);
    }

    [Fact]
    public void A_deployment_under_way_or_failed_without_its_hook_pod_counts_as_run()
    {
        Assert.NotNull(Find(App(2, "Running", Target, Rendered(Hook.Target))));
        Assert.Contains("cannot be told", Find(App(2, "Failed", Target, Rendered(Hook.Target)))!.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployments_up_to_the_last_data_restore_are_not_taken_for_a_new_migration()
    {
        Assert.Null(MigrationCheck.Find(Hook, "2.7", [App(2, "Complete", Target, Rendered(Hook.Target))], SourceImages, restoredThrough: 3));
    }

    [Fact]
    public void Redis_without_persistence_comments_out_every_save_line_and_turns_appendonly_off_touching_nothing_else()
    {
        const string conf = "protected-mode no\n\nsave 900 1\nsave 300 10\n  save 60 10000\n# save 1 1\nappendonly yes\ndir /var/lib/redis/data\n";

        var off = RedisPersistence.Off(conf);

        Assert.Equal("protected-mode no\n\n#ciupgrade-restore# save 900 1\n#ciupgrade-restore# save 300 10\n#ciupgrade-restore#   save 60 10000\n# save 1 1\nappendonly no\ndir /var/lib/redis/data\n", off);
        Assert.Equal(off, RedisPersistence.Off(off));
    }

    [Theory]
    [InlineData("aof_rewrite_in_progress:1\r\naof_rewrite_scheduled:0\r\naof_last_bgrewrite_status:ok\r\n", null)]
    [InlineData("aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:1\r\naof_last_bgrewrite_status:ok\r\n", null)]
    [InlineData("aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_bgrewrite_status:ok\r\n", true)]
    [InlineData("aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_bgrewrite_status:err\r\n", false)]
    public void Bgrewriteaof_is_over_when_info_says_it_neither_runs_nor_is_scheduled(string info, bool? finished)
    {
        Assert.Equal(finished, RedisPersistence.RewriteFinished(info));
    }

    [Fact]
    public void The_progress_record_reads_back_what_was_written_and_refuses_what_it_did_not_write()
    {
        var progress = new RestoreProgress { Backup = "20261205T051822Z", BackupTime = "2026-12-05T05:18:22Z", RunId = null, RedisConfig = "save 900 1\n" };
        progress.Replicas["system-app"] = 2;
        progress.Rollouts["load:backend-redis"] = 3;
        progress.Complete("writers-down");
        progress.Complete("writers-down");

        var read = RestoreProgress.Parse(progress.ToJson())!;

        Assert.Equal(["writers-down"], read.Steps);
        Assert.Equal(2, read.Replicas["system-app"]);
        Assert.Equal(3, read.Rollouts["load:backend-redis"]);
        Assert.Equal("save 900 1\n", read.RedisConfig);
        Assert.False(read.Done);
        Assert.Null(RestoreProgress.Parse("{}"));
        Assert.Null(RestoreProgress.Parse("not json"));
    }

    [Fact]
    public void The_loads_expand_credentials_inside_the_pod_and_read_exactly_the_recorded_size()
    {
        var mysql = string.Join(" ", DataLoad.Mysql(1234));
        var pg = string.Join(" ", DataLoad.Postgresql(99));

        Assert.Contains("MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"", mysql, StringComparison.Ordinal);
        Assert.Contains("DROP DATABASE IF EXISTS", mysql, StringComparison.Ordinal);
        Assert.Contains("head -c 1234 | mysql", mysql, StringComparison.Ordinal);
        Assert.Contains("head -c 99 | psql -v ON_ERROR_STOP=1", pg, StringComparison.Ordinal);
        Assert.Null(DataLoad.ForDatabase("system-app", 1));
    }
}
