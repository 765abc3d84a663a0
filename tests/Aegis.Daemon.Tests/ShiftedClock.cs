namespace Aegis.Daemon.Tests;

/// <summary>
/// The daemon's clock with a hand you can move: <see cref="Advance"/> jumps wall-clock time forward, while timers and
/// timestamps stay real. FakeTimeProvider stops every timer until it is advanced, which would also stop what a real
/// sandbox needs to boot and end (health polls, terminate grace); only the idle timers read the wall clock.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
