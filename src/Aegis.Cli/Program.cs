using System.Runtime.InteropServices;
using Aegis.Cli;

using var stop = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await AegisCli.RunAsync(args, Console.Out, Console.Error, stop.Token);

void Stop(PosixSignalContext context)
{
    // The first signal lets the command end in order (a foreground `up` stops aegisd first);
    // a second one takes the default path and ends the process at once.
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
