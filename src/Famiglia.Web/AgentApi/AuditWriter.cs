using System.Threading.Channels;
using Famiglia.Web.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary>
/// Writes audit rows off the request path, in batches: a request costs a channel write, not a database transaction.
/// Rows still queued at shutdown are written before the host stops.
/// </summary>
internal sealed partial class AuditWriter(IDbContextFactory<FamigliaDbContext> db, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;
    private readonly Channel<AuditLog> _queue = Channel.CreateUnbounded<AuditLog>(new UnboundedChannelOptions { SingleReader = true });

    public void Write(AuditLog entry) => _queue.Writer.TryWrite(entry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteBatchAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: drain below.
        }

        // A single-reader unbounded channel cannot count: drain until a batch comes back empty.
        while (await WriteBatchAsync(CancellationToken.None) > 0)
        {
        }
    }

    private async Task<int> WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<AuditLog>();
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            await using var context = await db.CreateDbContextAsync(cancellationToken);
            context.AuditLogs.AddRange(batch);
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbUpdateException or InvalidOperationException)
        {
            BatchFailed(logger, batch.Count, exception);
        }

        return batch.Count;
    }

    [LoggerMessage(1, LogLevel.Error, "Could not write {Count} audit rows")]
    private static partial void BatchFailed(ILogger logger, int count, Exception exception);
}
