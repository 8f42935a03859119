using System.Text.Json.Nodes;

namespace CiUpgrade.Simulator.Containers;

/// <summary>What the kubelet tells the containers: a pod's containers started (it became ready), or it was stopped (deleted).</summary>
public interface IPodLifecycle
{
    void Started(JsonObject pod);

    void Stopped(JsonObject pod);
}
