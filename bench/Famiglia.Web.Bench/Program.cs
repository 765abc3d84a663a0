using System.Diagnostics;
using System.Globalization;
using Famiglia.TestKit;
using Microsoft.Data.Sqlite;

// The Agent Data API feed with a large group: famiglia-web (Release build) seeded with `seed-demo` plus N extra
// posts in feldmans, then wrk against the first and the last page. Needs wrk (apt-get install -y wrk):
//   dotnet build -c Release Aegis.slnx && dotnet run -c Release --no-build --project bench/Famiglia.Web.Bench -- [--posts 100000] [--seconds 10] [--connections 32] [--feed-cache-bytes 0]
// The bench agent is exempt from the rate limit by configuration (--AgentApi:RateLimitExemptAgents:0=bench).
var posts = BenchArgs.Int(args, "--posts", 100_000);
var seconds = BenchArgs.Int(args, "--seconds", 10);
var connections = BenchArgs.Int(args, "--connections", 32);
// -1: famiglia-web's default (32 MiB); 0 renders every page (no feed page cache).
var feedCacheBytes = BenchArgs.Int(args, "--feed-cache-bytes", -1);
const string Agent = "bench";

var dll = RepositoryPaths.Combine("src", "Famiglia.Web", "bin", "Release", "net10.0", "famiglia-web.dll");
if (!File.Exists(dll))
{
    throw new FileNotFoundException("Build first: dotnet build -c Release Aegis.slnx", dll);
}

using var data = TempDirectory.Create("web-bench");
var dataSetting = $"--Famiglia:DataDirectory={data.Path}";
string[] quiet = ["--Logging:LogLevel:Default=Warning"];

await RunAsync(["seed-demo", dataSetting, .. quiet]);

// The extra posts go straight into SQLite in one transaction, older than the demo's, text only, by the demo users.
var seedWatch = Stopwatch.StartNew();
await using (var connection = new SqliteConnection($"Data Source={data.Combine("famiglia.db")};Pooling=False"))
{
    await connection.OpenAsync();
    var groupId = (string)(await Scalar(connection, "SELECT Id FROM Groups WHERE Slug = 'feldmans'"))!;
    var authors = new List<string>();
    await using (var read = connection.CreateCommand())
    {
        read.CommandText = "SELECT UserId FROM Members WHERE GroupId = $g";
        read.Parameters.AddWithValue("$g", groupId);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            authors.Add(reader.GetString(0));
        }
    }

    await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
    await using var insert = connection.CreateCommand();
    insert.Transaction = transaction;
    insert.CommandText = "INSERT INTO Posts (Id, GroupId, AuthorId, Type, Text, CreatedAt) VALUES ($id, $g, $a, 'Text', $t, $c)";
    var id = insert.Parameters.Add("$id", SqliteType.Text);
    insert.Parameters.AddWithValue("$g", groupId);
    var author = insert.Parameters.Add("$a", SqliteType.Text);
    var text = insert.Parameters.Add("$t", SqliteType.Text);
    var created = insert.Parameters.Add("$c", SqliteType.Text);
    var oldest = DateTime.UtcNow.AddDays(-30);
    for (var i = 0; i < posts; i++)
    {
        id.Value = Guid.CreateVersion7().ToString("N");
        author.Value = authors[i % authors.Count];
        text.Value = $"Bench post {i}: who is bringing dessert on Sunday?";
        created.Value = oldest.AddSeconds(-posts + i).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        await insert.ExecuteNonQueryAsync();
    }

    await transaction.CommitAsync();
    Console.Error.WriteLine($"inserted {posts} posts in {seedWatch.Elapsed.TotalSeconds:0.0} s; the group has {await Scalar(connection, $"SELECT COUNT(*) FROM Posts WHERE GroupId = '{groupId}'")} posts");
}

SqliteConnection.ClearAllPools();
var key = (await RunAsync(["issue-api-key", "--group", "feldmans", "--agent", Agent, dataSetting, .. quiet])).Trim();

var port = FreePort.Next();
var baseUrl = $"http://127.0.0.1:{port}";
string[] cache = feedCacheBytes < 0 ? [] : [$"--AgentApi:FeedCacheBytes={feedCacheBytes}"];
using var server = Process.Start(new ProcessStartInfo("dotnet", [dll, dataSetting, $"--Urls={baseUrl}", $"--AgentApi:RateLimitExemptAgents:0={Agent}", .. cache, .. quiet])
{
    UseShellExecute = false,
})!;
try
{
    using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) })
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri($"{baseUrl}/healthz"))).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !server.HasExited)
            {
            }

            await Task.Delay(100);
        }

        // The key works and the last page is where we expect it.
        using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri($"{baseUrl}/api/agent/feed?limit=1&offset={posts + 3}"));
        probe.Headers.Authorization = new("Bearer", key);
        var response = await http.SendAsync(probe);
        Console.Error.WriteLine($"probe: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        response.EnsureSuccessStatusCode();
    }

    var targets = new (string Label, string Path)[]
    {
        ("first page", "/api/agent/feed?limit=50"),
        ($"last page (offset {posts - 50})", $"/api/agent/feed?limit=50&offset={posts - 50}"),
    };


    var rows = new List<string>
    {
        $"wrk -t2 -c{connections} -d{seconds}s --latency -H \"Authorization: Bearer KEY\" URL; {posts:N0} extra posts in feldmans; "
            + $"{Environment.ProcessorCount} CPUs; feed page cache {(feedCacheBytes < 0 ? "on (default)" : feedCacheBytes == 0 ? "off" : $"{feedCacheBytes} bytes")}; "
            + "each target warmed for 5 s, then measured twice in alternation (the better run is kept).",
        "",
        "| request | requests/s | p50 | p99 |",
        "|---|---|---|---|",
    };
    // Warmed 5 s first, so tiered JIT has settled.
    var measured = await Wrk.BestOfAsync(targets.Select(t => (t.Label, baseUrl + t.Path)).ToList(), connections, seconds, warmSeconds: 5,
        headers: [$"Authorization: Bearer {key}"]);

    foreach (var (label, path) in targets)
    {
        var m = measured[label];
        rows.Add(FormattableString.Invariant($"| `GET {path}` ({label}) | {m.Rps:0} | {m.P50:0.00} ms | {m.P99:0.00} ms |"));
    }

    foreach (var line in rows)
    {
        Console.WriteLine(line);
    }
}
finally
{
    if (!server.HasExited)
    {
        Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        if (!server.WaitForExit(10_000))
        {
            server.Kill(entireProcessTree: true);
        }
    }
}

async Task<string> RunAsync(string[] arguments)
{
    var info = new ProcessStartInfo("dotnet", [dll, .. arguments]) { RedirectStandardOutput = true, UseShellExecute = false };
    using var process = Process.Start(info)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"famiglia-web {arguments[0]} exited with {process.ExitCode}: {output}");
    }

    return output;
}

static async Task<object?> Scalar(SqliteConnection connection, string sql)
{
    await using var command = connection.CreateCommand();
    command.CommandText = sql;
    return await command.ExecuteScalarAsync();
}



