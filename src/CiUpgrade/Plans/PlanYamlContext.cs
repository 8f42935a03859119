using YamlDotNet.Serialization;

namespace CiUpgrade.Plans;

/// <summary>
/// The plan file's YAML shapes as a static (source-generated) YamlDotNet context: NativeAOT cannot build them by
/// reflection. The generator (Vecc.YamlDotNet.Analyzers.StaticGenerator) writes the factories and accessors.
/// </summary>
[YamlStaticContext]
[YamlSerializable(typeof(PlanLoader.PlanDocument))]
[YamlSerializable(typeof(PlanLoader.ReleaseDocument))]
[YamlSerializable(typeof(PlanLoader.OracleDocument))]
[YamlSerializable(typeof(PlanLoader.StreamDocument))]
[YamlSerializable(typeof(PlanLoader.VerifyDocument))]
[YamlSerializable(typeof(PlanLoader.PreHookDocument))]
public partial class PlanYamlContext : StaticContext;
