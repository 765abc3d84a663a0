using System.Text.Json;
using Aegis.Daemon.Infrastructure;

namespace Aegis.Daemon.Instances;

/// <summary>When one instance pauses and terminates: the daemon's <see cref="IdleOptions"/>, overridden by the app's
/// <c>config.idle.pauseAfterSeconds</c> and <c>config.idle.terminateAfterSeconds</c>.</summary>
internal sealed record IdlePolicy(TimeSpan PauseAfter, TimeSpan TerminateAfter)
{
    public static IdlePolicy From(JsonElement config, IdleOptions defaults)
    {
        if (!config.TryGetProperty("idle", out var idle) || idle.ValueKind == JsonValueKind.Null)
        {
            return new IdlePolicy(defaults.PauseAfter, defaults.TerminateAfter);
        }

        if (idle.ValueKind != JsonValueKind.Object)
        {
            throw ApiProblem.Invalid("config.idle", "config.idle must be an object: {\"pauseAfterSeconds\": 60, \"terminateAfterSeconds\": 900}.");
        }

        return new IdlePolicy(Seconds(idle, "pauseAfterSeconds") ?? defaults.PauseAfter, Seconds(idle, "terminateAfterSeconds") ?? defaults.TerminateAfter);
    }

    private static TimeSpan? Seconds(JsonElement idle, string name)
    {
        if (!idle.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw ApiProblem.Invalid($"config.idle.{name}", $"config.idle.{name} must be a positive number of seconds.");
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
