using Famiglia.TestKit;
using Famiglia.Web.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace Famiglia.Web.Tests.Auth;

/// <summary>A hub connection and what it received.</summary>
public sealed class HubClient
{
    public HubClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<ChatMessage>(ChatNotifier.MessageEvent, message =>
        {
            lock (Received)
            {
                Received.Add(message);
            }

            return Messages.Add(message);
        });
        connection.On<AgentStatusChanged>(ChatNotifier.AgentStatusEvent, Statuses.Add);
        connection.On<CanvasVersionChanged>(ChatNotifier.CanvasVersionEvent, CanvasVersions.Add);
    }

    /// <summary>The canvasVersion events.</summary>
    public Probe<CanvasVersionChanged> CanvasVersions { get; } = new();

    /// <summary>The agentStatus events.</summary>
    public Probe<AgentStatusChanged> Statuses { get; } = new();

    public HubConnection Connection { get; }

    public Probe<ChatMessage> Messages { get; } = new();

    /// <summary>Every message event so far.</summary>
    public List<ChatMessage> Received { get; } = [];

    public IReadOnlyList<ChatMessage> ReceivedWithBody(string body)
    {
        lock (Received)
        {
            return Received.Where(m => m.Body == body).ToList();
        }
    }
}
