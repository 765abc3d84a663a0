using System.Text.Json.Nodes;
using Famiglia.Xmpp.Admin;

namespace Famiglia.Web.Chat;

/// <summary>
/// Two <c>mod_http_api</c> (v0) commands that <see cref="EjabberdAdminClient"/> does not have yet: <c>muc_register_nick</c>
/// and <c>change_room_option</c>. Both answer 0 on success. (They belong in that client; kept here until it has them.)
/// </summary>
internal sealed class EjabberdMucCommands(HttpClient http, Uri apiBase)
{
    private readonly Uri _api = apiBase.AbsoluteUri.EndsWith('/') ? apiBase : new Uri(apiBase.AbsoluteUri + "/");

    /// <summary>Reserves <paramref name="nick"/> in every room of <paramref name="service"/> for <paramref name="jid"/>: anyone
    /// else entering with it is refused (<c>conflict</c>). Idempotent for the same JID.</summary>
    public Task RegisterNickAsync(string nick, string jid, string service, CancellationToken cancellationToken = default) =>
        CallAsync("muc_register_nick", new JsonObject { ["nick"] = nick, ["jid"] = jid, ["host"] = service }, cancellationToken); // v0 calls "service" "host"

    /// <summary>Sets one option of an existing room, e.g. <c>members_only</c> = <c>true</c>.</summary>
    public Task ChangeRoomOptionAsync(string room, string service, string option, string value, CancellationToken cancellationToken = default) =>
        CallAsync("change_room_option", new JsonObject { ["name"] = room, ["service"] = service, ["option"] = option, ["value"] = value }, cancellationToken);

    private async Task CallAsync(string command, JsonObject arguments, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            // A sized body: ejabberd's HTTP listener answers a chunked one with 400.
            using var content = new StringContent(arguments.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            response = await http.PostAsync(new Uri(_api, command), content, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new EjabberdAdminException(command, 0, $"the server at {_api} could not be reached ({ex.Message})", ex);
        }

        using (response)
        {
            var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            if (!response.IsSuccessStatusCode || text != "0")
            {
                throw new EjabberdAdminException(command, (int)response.StatusCode, text.Length == 0 ? "(empty answer)" : text);
            }
        }
    }
}
