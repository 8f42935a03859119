using System.Text.Json.Nodes;
using CiUpgrade.Rules;

namespace CiUpgrade.Tests.Rules;

public sealed class ImageStreamTagPatchTests
{
    [Fact]
    public void Patch_adds_the_target_tag_and_replaces_latest_by_index_behind_tests()
    {
        var ops = ImageStreamTagPatch.For(Samples.Apicast26(), Samples.ApicastStep, "2.7");

        Assert.Equal("""{"op":"test","path":"/metadata/resourceVersion","value":"412233"}""", ops[0]!.ToJsonString());
        Assert.Equal("add", (string?)ops[1]!["op"]);
        Assert.Equal("/spec/tags/-", (string?)ops[1]!["path"]);
        Assert.Equal(
            """{"annotations":{"openshift.io/display-name":"AMP APIcast 2.7"},"from":{"kind":"DockerImage","name":"registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7"},"name":"2.7","referencePolicy":{"type":"Source"}}""",
            ops[1]!["value"]!.ToJsonString());
        Assert.Equal("""{"op":"test","path":"/spec/tags/1/name","value":"latest"}""", ops[2]!.ToJsonString());
        Assert.Equal("replace", (string?)ops[3]!["op"]);
        Assert.Equal("/spec/tags/1", (string?)ops[3]!["path"]);
        Assert.Equal("""{"kind":"ImageStreamTag","name":"2.7"}""", ops[3]!["value"]!["from"]!.ToJsonString());
        Assert.Equal(4, ops.Count);
    }

    [Fact]
    public void Patch_is_empty_when_the_stream_already_reads_as_the_runbook_leaves_it()
    {
        Assert.Empty(ImageStreamTagPatch.For(Samples.Apicast27(), Samples.ApicastStep, "2.7"));
    }

    [Fact]
    public void Patch_replaces_a_target_tag_that_points_elsewhere_instead_of_adding_a_duplicate()
    {
        var stream = Samples.Apicast27();
        stream.Spec.Tags![1].From!.Name = "registry.example.com/other:1";

        var ops = ImageStreamTagPatch.For(stream, Samples.ApicastStep, "2.7");

        Assert.DoesNotContain(ops, o => (string?)o!["op"] == "add");
        Assert.Contains(ops, o => o!.ToJsonString() == """{"op":"test","path":"/spec/tags/1/name","value":"2.7"}""");
        Assert.Contains(ops, o => (string?)o!["path"] == "/spec/tags/1" && (string?)o!["op"] == "replace");
    }

    [Fact]
    public void Patch_adds_the_whole_list_when_the_stream_has_no_spec_tags()
    {
        var stream = Samples.Apicast26();
        stream.Spec.Tags = null;

        var ops = ImageStreamTagPatch.For(stream, Samples.ApicastStep, "2.7");

        Assert.Equal("/spec/tags", (string?)ops[1]!["path"]);
        Assert.IsType<JsonArray>(ops[1]!["value"]);
        Assert.Equal("/spec/tags/-", (string?)ops[2]!["path"]);
    }

    [Fact]
    public void Patch_uses_the_override_image_for_the_target_tag()
    {
        var ops = ImageStreamTagPatch.For(Samples.Apicast26(), Samples.ApicastStep, "2.7", imageOverride: "quay.io/me/system-oracle:2.7");

        Assert.Equal("quay.io/me/system-oracle:2.7", (string?)ops[1]!["value"]!["from"]!["name"]);
        Assert.Equal("quay.io/me/system-oracle:2.7", (string?)ops[1]!["value"]!["annotations"]![ChosenImage.Annotation]);
    }

    [Fact]
    public void A_target_tag_naming_the_chosen_image_without_its_record_gets_the_record_and_one_with_it_nothing()
    {
        // An install an older ciupgrade upgraded with --system-image: the tag names the image, nothing records the choice.
        var stream = Samples.Apicast27();
        stream.Spec.Tags![1].From!.Name = "mirror.example.com/apicast:2.7";

        var ops = ImageStreamTagPatch.For(stream, Samples.ApicastStep, "2.7", imageOverride: "mirror.example.com/apicast:2.7");
        stream.Spec.Tags[1].Annotations![ChosenImage.Annotation] = "mirror.example.com/apicast:2.7";

        Assert.Contains(ops, o => (string?)o!["path"] == "/spec/tags/1" && (string?)o!["value"]!["annotations"]![ChosenImage.Annotation] == "mirror.example.com/apicast:2.7");
        Assert.Empty(ImageStreamTagPatch.For(stream, Samples.ApicastStep, "2.7", imageOverride: "mirror.example.com/apicast:2.7"));
        // Run again without --system-image: back to the plan's image, and the record goes.
        Assert.Contains(ImageStreamTagPatch.For(stream, Samples.ApicastStep, "2.7"), o => (string?)o!["path"] == "/spec/tags/1" && o!["value"]!["annotations"]![ChosenImage.Annotation] is null);
    }
}
