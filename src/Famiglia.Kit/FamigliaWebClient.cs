using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Famiglia.Kit;

/// <summary>What famiglia-web says about an agent's name and XMPP user in a group.</summary>
/// <param name="GroupExists">famiglia-web knows the group.</param>
/// <param name="NameTaken">Another agent of the group has the name (case-insensitive).</param>
/// <param name="SlugTaken">Another agent has the XMPP user.</param>
internal sealed record AgentAvailability(bool GroupExists, bool NameTaken, bool SlugTaken);

/// <summary>
/// famiglia-web's internal kit endpoints (<c>/api/kit</c>), authenticated with the kit token read from
/// <see cref="KitSettings.KitTokenFile"/>. Every failure is a <see cref="HookFailedException"/> that names famiglia-web's
/// address and what went wrong, and never the token.
/// </summary>
internal sealed class FamigliaWebClient : IDisposable
{
    /// <summary>Less than aegisd's hook timeout (10 s by default), so the hook can still say what it was waiting for.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(6);

    private readonly HttpClient _http;
    private readonly Uri _baseAddress;

    private FamigliaWebClient(HttpClient http, Uri baseAddress)
    {
        _http = http;
        _baseAddress = baseAddress;
    }

    /// <exception cref="HookFailedException">The kit token file is missing, unreadable or empty.</exception>
    public static FamigliaWebClient Create(KitSettings settings)
    {
        var token = ReadToken(settings.KitTokenFile);
        var baseAddress = settings.FamigliaWebUrl.AbsoluteUri.EndsWith('/') ? settings.FamigliaWebUrl : new Uri(settings.FamigliaWebUrl.AbsoluteUri + "/");
        // famiglia-web is a local service: no proxy, whatever the environment says.
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new FamigliaWebClient(http, baseAddress);
    }

    /// <summary><c>GET /api/kit/agents/availability</c>.</summary>
    public async Task<AgentAvailability> GetAvailabilityAsync(string groupId, string name, string slug, CancellationToken cancellationToken = default)
    {
        var query = $"api/kit/agents/availability?groupId={Uri.EscapeDataString(groupId)}&name={Uri.EscapeDataString(name)}&slug={Uri.EscapeDataString(slug)}";
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, query), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new AgentAvailability(GroupExists: false, NameTaken: false, SlugTaken: false);
        }

        await EnsureSuccessAsync(response, cancellationToken);
        var body = await ReadJsonAsync(response, cancellationToken);
        using (body)
        {
            return new AgentAvailability(true, Flag(body.RootElement, "nameTaken"), Flag(body.RootElement, "slugTaken"));
        }
    }

    /// <summary><c>POST /api/kit/published</c>.</summary>
    /// <exception cref="HookFailedException">famiglia-web knows no agent with the app id, or could not be asked.</exception>
    public async Task PublishedAsync(string appId, string version, IReadOnlyList<string> artifacts, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("appId", appId);
            json.WriteString("version", version);
            json.WriteStartArray("artifacts");
            foreach (var artifact in artifacts)
            {
                json.WriteStringValue(artifact);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "api/kit/published")
        {
            Content = new ByteArrayContent(stream.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new HookFailedException($"famiglia-web ({_baseAddress}) has no agent for Aegis app '{appId}' (404{await DetailAsync(response, cancellationToken)})");
        }

        await EnsureSuccessAsync(response, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private static string ReadToken(string path)
    {
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HookFailedException($"the kit token file {path} does not exist; famiglia-web writes it to <Famiglia:DataDirectory>/kit-token when it starts", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HookFailedException($"the kit token file {path} cannot be read: {e.Message}", e);
        }

        return token.Length > 0 ? token : throw new HookFailedException($"the kit token file {path} is empty");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            var what = $"{request.Method} /{request.RequestUri?.OriginalString.Split('?')[0]}";
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            }
            catch (HttpRequestException e)
            {
                throw new HookFailedException($"famiglia-web ({_baseAddress}) is unreachable: {e.Message}", e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HookFailedException($"famiglia-web ({_baseAddress}) did not answer {what} within {RequestTimeout.TotalSeconds:0} s", e);
            }
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var request = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        var status = (int)response.StatusCode;
        var detail = await DetailAsync(response, cancellationToken);
        throw new HookFailedException(response.StatusCode == HttpStatusCode.Unauthorized
            ? $"famiglia-web ({_baseAddress}) refused the kit token (401{detail}): the kitTokenFile setting must name famiglia-web's <Famiglia:DataDirectory>/kit-token"
            : $"famiglia-web ({_baseAddress}) answered {request} with {status}{detail}");
    }

    /// <summary>The problem details' title and detail, for the message: ": Title: detail", or "" when there are none.</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            using var problem = JsonDocument.Parse(text);
            var parts = new[] { "title", "detail" }
                .Select(name => problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                .Where(part => !string.IsNullOrWhiteSpace(part));
            var joined = string.Join(": ", parts);
            return joined.Length == 0 ? "" : ": " + Shorten(joined);
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return "";
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");

    private async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new HookFailedException($"famiglia-web ({_baseAddress}) answered with something that is not JSON", e);
        }
    }

    private bool Flag(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new HookFailedException($"famiglia-web ({_baseAddress}) answered without a boolean \"{name}\"");
}
