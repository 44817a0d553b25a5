using System.Collections.Immutable;
using System.Reflection;
using GruAnomaly.Detection;
using GruAnomaly.Extensions.DependencyInjection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.Hosting;

namespace GruAnomaly.Tests.Documentation;

/// <summary>
/// Compiles every C# block of README.md (fenced as <c>csharp</c>, <c>cs</c> or <c>c#</c>) against the library's public
/// API, each as a program of its own (top-level statements with a console app's implicit usings), so a README that
/// drifts from the API fails CI. A block may use the names in <see cref="ReadmeNames"/>, <see cref="MyCell"/> and
/// xunit's <c>Assert</c> without declaring them. Errors and warnings both fail, reported at their line in README.md.
/// </summary>
public sealed class ReadmeCodeTests
{
    private const string Readme = "README.md";

    // The usings a block gets besides its own: a net10.0 console app's implicit ones, then ReadmeNames.cs and xunit.
    private const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using static GruAnomaly.Tests.Documentation.ReadmeNames;
        global using GruAnomaly.Tests.Documentation;
        global using Xunit;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>Gets the first README line of each block (its opening fence), which names the block in test results.</summary>
    public static TheoryData<int> Blocks => [.. ReadBlocks().Select(block => block.FenceLine)];

    [Fact]
    public void The_readme_has_csharp_blocks_to_check() =>
        Assert.True(ReadBlocks().Count >= 4, $"found {ReadBlocks().Count} csharp blocks in {Readme}; the fence pattern may have changed");

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Csharp_block_compiles(int fenceLine)
    {
        (_, string code) = ReadBlocks().Single(block => block.FenceLine == fenceLine);
        // #line maps every diagnostic to README.md's own line numbers.
        string[] problems = Compile($"#line {fenceLine + 1} \"{Readme}\"\n{code}", Readme);

        Assert.True(problems.Length == 0, $"The csharp block at {Readme} line {fenceLine} does not compile:\n{string.Join('\n', problems)}");
    }

    // Issue #12: the static factory class was once named Model, and inside a class with a property named Model the name
    // Model.Gru bound to the property, so a README line pasted there failed to compile. Models does not collide.
    [Fact]
    public void The_model_factories_compile_inside_a_class_with_a_Model_property()
    {
        const string code = """
            using GruAnomaly.Detection;
            using GruAnomaly.Recurrent;

            var service = new SensorService();
            Console.WriteLine(service.Model);

            internal sealed class SensorService
            {
                public string Model { get; } = "pump-7";

                public AnomalyDetector Detector { get; } = AnomalyDetector.CreateBuilder()
                    .WithModel(Models.Gru(hiddenSize: 32))
                    .Build();

                public IModelFactory Custom() => Models.Cells("custom", layers: 1, (layer, inputSize) => new GruCell(inputSize, 8));
            }
            """;

        string[] problems = Compile(code, "Collision.cs");

        Assert.True(problems.Length == 0, $"A class with a Model property cannot call Models.Gru:\n{string.Join('\n', problems)}");
    }

    /// <summary>Compiles <paramref name="code"/> as a console program beside <see cref="Prelude"/>; returns its warnings and errors.</summary>
    private static string[] Compile(string code, string path)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        SyntaxTree block = CSharpSyntaxTree.ParseText(code, parse, path: path);
        SyntaxTree prelude = CSharpSyntaxTree.ParseText(Prelude, parse, path: "Prelude.cs");
        var compilation = CSharpCompilation.Create(
            "ReadmeBlock", // not GruAnomaly.Tests: the library's internals stay invisible
            [prelude, block],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())];
    }

    /// <summary>Each block's fence line (1-based) and code, in README order.</summary>
    private static List<(int FenceLine, string Code)> ReadBlocks()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, Readme));
        var blocks = new List<(int, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            string fence = lines[i].Trim();
            if (!fence.StartsWith("```", StringComparison.Ordinal) || !IsCSharp(fence[3..].Split(' ')[0]))
            {
                continue;
            }

            int end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```")
            {
                end++;
            }

            blocks.Add((i + 1, string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }

        return blocks;
    }

    // Every name Markdown renderers highlight as C#: a block cannot opt out of the check by spelling the language another way.
    private static bool IsCSharp(string language) =>
        language.Equals("csharp", StringComparison.OrdinalIgnoreCase)
        || language.Equals("cs", StringComparison.OrdinalIgnoreCase)
        || language.Equals("c#", StringComparison.OrdinalIgnoreCase);

    /// <summary>The framework, the library, the DI package and the hosting abstractions with what they reference, this assembly (for the stand-ins) and xunit's asserts.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        IEnumerable<string> framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == frameworkDirectory);
        Assembly library = typeof(AnomalyDetector).Assembly;
        // The DI package and the hosting abstractions, for "Embedding in a service".
        Assembly[] libraries = [library, typeof(IAnomalyStreamRegistry).Assembly, typeof(GruAnomaly.Onnx.OnnxModel).Assembly, typeof(BackgroundService).Assembly];
        IEnumerable<string> dependencies = libraries
            .SelectMany(assembly => assembly.GetReferencedAssemblies())
            .Select(name => Assembly.Load(name).Location)
            .Where(path => Path.GetDirectoryName(path) != frameworkDirectory);
        return [.. framework
            .Concat(libraries.Select(assembly => assembly.Location))
            .Concat([typeof(ReadmeNames).Assembly.Location, typeof(Assert).Assembly.Location])
            .Concat(dependencies)
            .Distinct()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }
}
