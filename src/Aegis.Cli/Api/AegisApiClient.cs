using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aegis.Cli.Api;

/// <summary>aegisd's HTTP API: bearer token from the token file, JSON in and out, failures as
/// <see cref="AegisApiException"/> (the daemon refused) or <see cref="DaemonUnreachableException"/> (no daemon).</summary>
internal sealed class AegisApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _tokenFile;

    public AegisApiClient(Uri baseAddress, string tokenFile)
    {
        BaseAddress = baseAddress;
        _tokenFile = tokenFile;
        // No overall timeout: a task may stream for minutes and an ensure waits for a boot.
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri BaseAddress { get; }

    /// <summary>True when <c>/healthz</c> answers 200; false when nothing (or something else) answers.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await _http.GetAsync(new Uri("/healthz", UriKind.Relative), timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Throws <see cref="DaemonUnreachableException"/> unless <c>/healthz</c> answers.</summary>
    public async Task EnsureHealthyAsync(CancellationToken cancellationToken = default)
    {
        if (!await IsHealthyAsync(cancellationToken))
        {
            throw new DaemonUnreachableException(BaseAddress, "no answer on /healthz");
        }
    }

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendForJsonAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonElement> PostJsonAsync<T>(string path, T body, CancellationToken cancellationToken = default) =>
        SendForJsonAsync(HttpMethod.Post, path, JsonContent.Create(body), cancellationToken);

    public Task<JsonElement> PostAsync(string path, HttpContent? content = null, CancellationToken cancellationToken = default) =>
        SendForJsonAsync(HttpMethod.Post, path, content, cancellationToken);

    public Task<JsonElement> PutJsonAsync<T>(string path, T body, CancellationToken cancellationToken = default) =>
        SendForJsonAsync(HttpMethod.Put, path, JsonContent.Create(body), cancellationToken);

    public Task<JsonElement> DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        SendForJsonAsync(HttpMethod.Delete, path, null, cancellationToken);

    /// <summary>Posts and returns as soon as the headers arrive, so the caller can read the body as it streams.</summary>
    public async Task<HttpResponseMessage> PostStreamingAsync<T>(string path, T body, CancellationToken cancellationToken = default)
    {
        var request = await CreateRequestAsync(HttpMethod.Post, path, JsonContent.Create(body), cancellationToken);
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ProblemReader.ReadAsync(response, cancellationToken);
            }
        }

        return response;
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> SendForJsonAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = await CreateRequestAsync(method, path, content, cancellationToken);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemReader.ReadAsync(response, cancellationToken);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length == 0)
        {
            return default; // 204 No Content
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DaemonUnreachableException(BaseAddress, e.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : e.Message, e);
        }
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var token = await ReadTokenAsync(cancellationToken);
        return new HttpRequestMessage(method, new Uri(path, UriKind.Relative))
        {
            Content = content,
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
    }

    private async Task<string> ReadTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(_tokenFile, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // aegisd writes the token on its first start: no token file usually means no daemon.
            await EnsureHealthyAsync(cancellationToken);
            throw new CliUsageException($"cannot read aegisd's token from {_tokenFile} ({e.Message}). Pass the daemon's --data-dir or --token-file (or set AEGIS_DATA_DIR / AEGIS_TOKEN_FILE).");
        }
    }
}
