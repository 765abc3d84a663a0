using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Famiglia.Stack.Tests;

/// <summary>Publishing an agent's own code to its app, as <c>aegis app publish</c> does (aegisd's API).</summary>
internal static class AgentReleases
{
    /// <summary>Publishes a release whose <c>index.js</c> is <paramref name="agent"/> (the kit's image runs
    /// <c>/agent/index.js</c> with node); returns the release id.</summary>
    public static async Task<string> PublishIndexJsAsync(HttpClient aegis, string appId, string agent)
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "index.js") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(agent)) });
        }

        using var content = new ByteArrayContent(archive.ToArray()) { Headers = { ContentType = new("application/gzip") } };
        using var published = await aegis.PostAsync($"/v1/apps/{appId}/releases", content);
        var body = await published.Content.ReadAsStringAsync();
        Assert.True(published.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("releaseId").GetString()!;
    }
}
