namespace Famiglia.Web.Tests.Chat;

/// <summary>Waits for a condition that background work makes true. The timeout only guards against a hang.</summary>
internal static class Eventually
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not true after {HangGuard}: {what}.\n{diagnostics?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }
}
