namespace GruAnomaly;

/// <summary>Placeholder.</summary>
public static class Placeholder { }
