using Famiglia.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Chat;

/// <summary>
/// The XMPP worker: at startup, and again whenever <see cref="ChatProvisioner.RequestSync"/> asks, provisions ejabberd and
/// lets the archiver enter every room. ejabberd being down is not fatal: it retries with backoff (1 s doubling to 1 min), logged.
/// </summary>
internal sealed partial class ChatWorker(
    ChatProvisioner provisioner, ChatArchiver archiver, IOptions<FamigliaOptions> options, TimeProvider time, ILogger<ChatWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ChatEnabled)
        {
            Disabled(logger);
            return;
        }

        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await provisioner.ProvisionAllAsync(stoppingToken);
                    await archiver.SyncAsync(stoppingToken);
                    failures = 0;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, MinDelay.Ticks << Math.Min(failures - 1, 10)));
                    SyncFailed(logger, ex.GetType().Name, ex.Message, delay.TotalSeconds);
                    await Task.Delay(delay, time, stoppingToken);
                    continue;
                }

                await provisioner.SyncRequests.ReadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Chat is switched off (Famiglia:ChatEnabled=false): no XMPP provisioning, archiver or sending")]
    private static partial void Disabled(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "XMPP provisioning or the archiver failed ({Kind}: {Reason}); retrying in {Seconds} s")]
    private static partial void SyncFailed(ILogger logger, string kind, string reason, double seconds);
}
