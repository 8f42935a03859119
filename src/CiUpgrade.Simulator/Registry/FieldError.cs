namespace CiUpgrade.Simulator.Registry;

/// <summary>One validation failure, as a Status' details.causes entry (reason FieldValueInvalid, FieldValueRequired...).</summary>
public sealed record FieldError(string Field, string Reason, string Message);
