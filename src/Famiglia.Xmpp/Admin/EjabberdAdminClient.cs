using System.Text.Json;
using System.Text.Json.Nodes;

namespace Famiglia.Xmpp.Admin;

/// <summary>
/// Provisioning through ejabberd's <c>mod_http_api</c>, pinned to API version 0 (newer versions rename
/// arguments). Commands that report success as a body of <c>0</c> are checked, not trusted by status
/// code. Register, create and destroy are idempotent, so a half-done provisioning can simply be retried.
/// </summary>
public sealed class EjabberdAdminClient
{
    private readonly HttpClient _http;
    private readonly Uri _api;

    /// <summary>Creates a client for the API at <paramref name="apiBase"/>, e.g. <c>http://127.0.0.1:5280/api/v0/</c>.</summary>
    public EjabberdAdminClient(HttpClient http, Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(apiBase);
        _http = http;
        _api = apiBase.AbsoluteUri.EndsWith('/') ? apiBase : new Uri(apiBase.AbsoluteUri + "/");
    }

    /// <summary>Checks that the node is up.</summary>
    public async Task<string> StatusAsync(CancellationToken cancellationToken = default) =>
        (await CallAsync("status", new JsonObject(), cancellationToken)).body?.ToString() ?? "";

    /// <summary>Registers an account; if it exists already, sets its password, so the outcome is the same.</summary>
    public async Task RegisterAsync(string user, string host, string password, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("register", new JsonObject { ["user"] = user, ["host"] = host, ["password"] = password }, cancellationToken, throwOnError: false);
        if (status == 409)
        {
            await ChangePasswordAsync(user, host, password, cancellationToken);
            return;
        }

        EnsureSuccess("register", status, body);
    }

    /// <summary>Removes an account; succeeds when there is none.</summary>
    public async Task UnregisterAsync(string user, string host, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("unregister", new JsonObject { ["user"] = user, ["host"] = host }, cancellationToken);
        EnsureSuccess("unregister", status, body);
    }

    /// <summary>True when the account exists.</summary>
    public async Task<bool> AccountExistsAsync(string user, string host, CancellationToken cancellationToken = default)
    {
        var (_, body) = await CallAsync("check_account", new JsonObject { ["user"] = user, ["host"] = host }, cancellationToken);
        return ResultCode("check_account", body) == 0; // 0: exists, 1: does not
    }

    /// <summary>Sets a new password (API v0 argument <c>newpass</c>).</summary>
    public async Task ChangePasswordAsync(string user, string host, string newPassword, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("change_password", new JsonObject { ["user"] = user, ["host"] = host, ["newpass"] = newPassword }, cancellationToken);
        ExpectZero("change_password", status, body);
    }

    /// <summary>Creates a persistent room with options (e.g. <c>members_only=true</c>); succeeds when it exists already.</summary>
    public async Task CreateRoomAsync(string name, string service, string host, IReadOnlyDictionary<string, string>? options = null, CancellationToken cancellationToken = default)
    {
        var list = new JsonArray();
        foreach (var (key, value) in options ?? new Dictionary<string, string>())
        {
            list.Add((JsonNode)new JsonObject { ["name"] = key, ["value"] = value });
        }

        var (status, body) = await CallAsync("create_room_with_opts",
            new JsonObject { ["name"] = name, ["service"] = service, ["host"] = host, ["options"] = list }, cancellationToken, throwOnError: false);
        if (status == 400 && Reason(body).Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        ExpectZero("create_room_with_opts", status, body);
    }

    /// <summary>Destroys a room; succeeds when there is none.</summary>
    public async Task DestroyRoomAsync(string name, string service, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("destroy_room", new JsonObject { ["name"] = name, ["service"] = service }, cancellationToken, throwOnError: false);
        if (status == 400 && Reason(body).Contains("doesn't exist", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        ExpectZero("destroy_room", status, body);
    }

    /// <summary>Sets a JID's affiliation with a room: owner, admin, member, outcast or none.</summary>
    public async Task SetRoomAffiliationAsync(string name, string service, string jid, string affiliation, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("set_room_affiliation",
            new JsonObject { ["name"] = name, ["service"] = service, ["jid"] = jid, ["affiliation"] = affiliation }, cancellationToken);
        ExpectZero("set_room_affiliation", status, body);
    }

    /// <summary>Reserves <paramref name="nick"/> in every room of <paramref name="service"/> for <paramref name="jid"/>: anyone
    /// else entering with it is refused (<c>conflict</c>). Idempotent for the same JID.</summary>
    public async Task RegisterNickAsync(string nick, string jid, string service, CancellationToken cancellationToken = default)
    {
        // Version 0 calls the MUC service "host" here.
        var (status, body) = await CallAsync("muc_register_nick", new JsonObject { ["nick"] = nick, ["jid"] = jid, ["host"] = service }, cancellationToken);
        ExpectZero("muc_register_nick", status, body);
    }

    /// <summary>Sets one option of an existing room, e.g. <c>members_only</c> = <c>true</c>.</summary>
    public async Task ChangeRoomOptionAsync(string name, string service, string option, string value, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("change_room_option",
            new JsonObject { ["name"] = name, ["service"] = service, ["option"] = option, ["value"] = value }, cancellationToken);
        ExpectZero("change_room_option", status, body);
    }

    /// <summary>The room's current occupants.</summary>
    public async Task<IReadOnlyList<EjabberdOccupant>> GetRoomOccupantsAsync(string name, string service, CancellationToken cancellationToken = default)
    {
        var (status, body) = await CallAsync("get_room_occupants", new JsonObject { ["name"] = name, ["service"] = service }, cancellationToken);
        if (body is not JsonArray occupants)
        {
            throw new EjabberdAdminException("get_room_occupants", status, Reason(body));
        }

        return occupants.OfType<JsonObject>()
            .Select(o => new EjabberdOccupant((string?)o["jid"] ?? "", (string?)o["nick"] ?? "", (string?)o["role"] ?? ""))
            .ToList();
    }

    private async Task<(int status, JsonNode? body)> CallAsync(string command, JsonObject arguments, CancellationToken cancellationToken, bool throwOnError = true)
    {
        HttpResponseMessage response;
        try
        {
            using var content = new StringContent(arguments.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            response = await _http.PostAsync(new Uri(_api, command), content, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new EjabberdAdminException(command, 0, $"the server at {_api} could not be reached ({ex.Message})", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? body;
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(text);
            }

            var status = (int)response.StatusCode;
            if (throwOnError && !response.IsSuccessStatusCode && status is not 400 and not 404 and not 409)
            {
                throw new EjabberdAdminException(command, status, Reason(body));
            }

            return (status, body);
        }
    }

    private static void EnsureSuccess(string command, int status, JsonNode? body)
    {
        if (status != 200)
        {
            throw new EjabberdAdminException(command, status, Reason(body));
        }
    }

    private static void ExpectZero(string command, int status, JsonNode? body)
    {
        EnsureSuccess(command, status, body);
        if (ResultCode(command, body) != 0)
        {
            throw new EjabberdAdminException(command, status, $"the command reported failure ({body?.ToJsonString()})");
        }
    }

    private static int ResultCode(string command, JsonNode? body) =>
        body is JsonValue value && value.TryGetValue<int>(out var code)
            ? code
            : throw new EjabberdAdminException(command, 200, $"unexpected answer {body?.ToJsonString() ?? "(empty)"}");

    private static string Reason(JsonNode? body) => body switch
    {
        JsonObject o => (string?)o["message"] ?? o.ToJsonString(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        null => "(empty answer)",
        _ => body.ToJsonString(),
    };
}

/// <summary>An occupant as <c>get_room_occupants</c> reports it.</summary>
public sealed record EjabberdOccupant(string Jid, string Nick, string Role);
