// gru-anomaly: the command-line tool of GruAnomaly. Every command lives in Commands/; CliApp wires them up.
using GruAnomaly.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error, rich: !Console.IsOutputRedirected, input: Console.In).ConfigureAwait(false);
