using BenchmarkDotNet.Running;
using Famiglia.Xmpp.Bench;

// dotnet run -c Release --project bench/Famiglia.Xmpp.Bench -- muc [--latency N] [--burst M] [--warmup-burst W]
//     [--archive on|off|both] [--transport both|tcp|websocket|LIST, e.g. websocket,tcp] [--no-peer]
// dotnet run -c Release --project bench/Famiglia.Xmpp.Bench -- scanner   (BenchmarkDotNet, in-process parser)
// dotnet run -c Release --project bench/Famiglia.Xmpp.Bench -- host [--burst M] [--receivers N] [--transport websocket|tcp]
//     [--archive on|off] [--rounds R]   (a Kestrel server's HTTP latency while its process reads an XMPP burst)
return args.FirstOrDefault() switch
{
    "muc" => await MucLoad.RunAsync(args[1..]),
    "scanner" => RunScanner(args[1..]),
    "host" => await HostLatency.RunAsync(args[1..]),
    "host-sender" => await HostLatency.SenderAsync(),
    "host-probe" => await HostLatency.ProbeAsync(),
    _ => Usage(),
};

static int RunScanner(string[] args)
{
    BenchmarkRunner.Run<ScannerBenchmarks>(args: args);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Famiglia.Xmpp.Bench muc [--latency N] [--burst M] [--warmup-burst W] [--archive on|off|both] [--transport both|tcp|websocket|websocket,tcp|...] [--no-peer] [--clients-sched normal|batch] | scanner [BenchmarkDotNet args] | host [--burst M] [--receivers N] [--transport websocket|tcp] [--archive on|off] [--rounds R]");
    return 2;
}
