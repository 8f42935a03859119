namespace CiUpgrade.Simulator.Controllers;

/// <summary>One level-driven controller: each pass looks at the whole store and moves things one step.</summary>
internal interface IController
{
    /// <summary>Returns whether the pass wrote anything and whether it is waiting on time to pass; <paramref name="ns"/> limits it to one namespace.</summary>
    PassResult Reconcile(DateTimeOffset now, string? ns);
}
