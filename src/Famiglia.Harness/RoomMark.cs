namespace Famiglia.Harness;

/// <summary>How the previous run left a message that the join's catch-up delivers again.</summary>
internal enum EarlierRun
{
    /// <summary>The previous run never saw it: the usual rules decide whether it is for the agent.</summary>
    Unseen,

    /// <summary>The previous run handed it to the agent and the agent never finished it: it is for the agent.</summary>
    Unfinished,

    /// <summary>The previous run saw it and is done with it (answered, or not for the agent).</summary>
    Done,
}

/// <summary>
/// Where the agent is in its room's history, kept in the workspace (which outlives the sandbox), so that the next run
/// catches up on what this one did not finish.
/// </summary>
/// <remarks>
/// The file holds three things, one per line, then one line per unfinished message: the <em>settled</em> mark (the
/// stanza id up to which every message is done: answered by the agent, or not for it), the last message seen, and
/// the stanza ids handed to the agent after the settled mark and not finished, each with the number of runs it was
/// handed to the agent in (after a tab; absent means one). The next join catches up after the settled mark; of the
/// messages up to the last one seen, only the unfinished are delivered again, so a message the agent had taken (or had
/// queued) when its sandbox stopped is answered at the next start and one it had answered is not answered twice. A
/// message handed to the agent in <see cref="MaxRuns"/> runs without an answer is given up (and logged), so one the
/// agent cannot answer does not come back at every start. The file is replaced by write and rename, so a stop
/// half-way leaves the previous one.
/// </remarks>
internal sealed partial class RoomMark
{
    /// <summary>The number of runs a message is handed to the agent in before it is given up unanswered.</summary>
    public const int MaxRuns = 3;

    private const int MaxIdLength = 200;

    private readonly Lock _gate = new();
    private readonly string _file;
    private readonly ILogger _logger;
    private readonly LinkedList<(string Id, string? SeenBefore, int Runs)> _unfinished = new();

    // The previous run's unfinished messages with the runs each was handed to the agent in; a recalled one moves to
    // _recalled until this run hands it over.
    private readonly Dictionary<string, int> _earlierUnfinished = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _recalled = new(StringComparer.Ordinal);
    private string? _lastSeen;
    private string? _earlierLastSeen;
    private string _written = "";

    public RoomMark(string file, ILogger<RoomMark> logger)
    {
        _file = file;
        _logger = logger;
        var lines = Read();
        CatchUpAfter = Id(lines.ElementAtOrDefault(0));
        _lastSeen = CatchUpAfter;
        // A file of one line (an older harness) is a settled mark with nothing unfinished.
        var lastSeen = lines.Length > 1 ? Id(lines[1]) : CatchUpAfter;
        if (lastSeen is not null && lastSeen != CatchUpAfter)
        {
            _earlierLastSeen = lastSeen;
            foreach (var line in lines.Skip(2))
            {
                var (id, runs) = Unfinished(line);
                if (id is not null)
                {
                    _earlierUnfinished[id] = runs;
                }
            }
        }
    }

    /// <summary>The stanza id the join catches up after: null on a first start (or when the file is unreadable).</summary>
    public string? CatchUpAfter { get; }

    /// <summary>What the previous run made of <paramref name="stanzaId"/>. Call for every room message in order, before
    /// <see cref="Seen"/>; <paramref name="fromArchive"/> false (a live message) means the catch-up is over.</summary>
    public EarlierRun Recall(string? stanzaId, bool fromArchive)
    {
        lock (_gate)
        {
            if (_earlierLastSeen is null)
            {
                return EarlierRun.Unseen;
            }

            if (!fromArchive)
            {
                // The catch-up ended before the last message the previous run saw (the archive no longer has it).
                _earlierLastSeen = null;
                return EarlierRun.Unseen;
            }

            var result = EarlierRun.Done;
            if (stanzaId is not null && _earlierUnfinished.Remove(stanzaId, out var runs))
            {
                if (runs < MaxRuns)
                {
                    _recalled[stanzaId] = runs;
                    result = EarlierRun.Unfinished;
                }
                else
                {
                    GaveUp(_logger, stanzaId, runs);
                }
            }

            if (stanzaId == _earlierLastSeen)
            {
                _earlierLastSeen = null;
            }

            return result;
        }
    }

    /// <summary>A room message went by; <paramref name="handedToAgent"/> when it goes to the agent, which then owes
    /// <see cref="Finished"/> for it.</summary>
    public void Seen(string stanzaId, bool handedToAgent)
    {
        lock (_gate)
        {
            if (handedToAgent)
            {
                _unfinished.AddLast((stanzaId, _lastSeen, _recalled.Remove(stanzaId, out var runs) ? runs + 1 : 1));
            }

            _lastSeen = stanzaId;
            Save();
        }
    }

    /// <summary>The agent is done with the message (answered it, or it was dropped for good).</summary>
    public void Finished(string stanzaId)
    {
        lock (_gate)
        {
            for (var node = _unfinished.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == stanzaId)
                {
                    _unfinished.Remove(node);
                    Save();
                    return;
                }
            }
        }
    }

    private static (string? Id, int Runs) Unfinished(string line)
    {
        var tab = line.IndexOf('\t', StringComparison.Ordinal);
        if (tab < 0)
        {
            return (Id(line), 1);
        }

        return (Id(line[..tab]), int.TryParse(line.AsSpan(tab + 1), out var runs) && runs > 0 ? runs : 1);
    }

    private static string? Id(string? line)
    {
        var id = line?.Trim();
        return id is { Length: > 0 and <= MaxIdLength } ? id : null;
    }

    private string[] Read()
    {
        try
        {
            return File.Exists(_file) ? File.ReadAllLines(_file) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MarkFailed(_logger, "read", ex.Message);
            return [];
        }
    }

    private void Save()
    {
        // Settled: everything before the oldest unfinished message, or everything seen when nothing is unfinished.
        var settled = _unfinished.First is { } oldest ? oldest.Value.SeenBefore : _lastSeen;
        var text = string.Join('\n', [settled ?? "", _lastSeen ?? "", .. _unfinished.Select(u => u.Runs == 1 ? u.Id : $"{u.Id}\t{u.Runs}")]);
        if (text == _written)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var temporary = _file + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, _file, overwrite: true);
            _written = text;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            MarkFailed(_logger, "write", ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "gave up on message {StanzaId}: the agent was given it in {Runs} runs and never answered it")]
    private static partial void GaveUp(ILogger logger, string stanzaId, int runs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not {Action} where the agent is in its room: {Error}")]
    private static partial void MarkFailed(ILogger logger, string action, string error);
}
