namespace Famiglia.Web.Agents;

/// <summary>The agent templates a person picks from in Create Agent (the kit maps the key to the agent command).</summary>
internal sealed class AgentTemplates
{
    public const string Default = "photo-library";

    public IReadOnlyList<AgentTemplate> All { get; } =
    [
        new("photo-library", "Photo Library", "Builds a gallery of the group's photos on its canvas (spec §8.1). Needs no AI key.", Canvas: true),
        new("photo-library-ts", "Photo Library (TypeScript)", "The same gallery agent written in TypeScript on @famiglia/agent-sdk.", Canvas: true),
        new("react-dashboard", "Dashboard (React)", "Shows the group's members, feed and this room's chat on a React canvas. A starter for your own single-page canvas.", Canvas: true),
        new("echo", "Echo", "Answers every message with what was said. The smallest agent, for trying things out.", Canvas: false),
    ];

    public bool Exists(string key) => All.Any(t => t.Key == key);

    public AgentTemplate Get(string key) => All.Single(t => t.Key == key);
}

/// <summary>A template: its key (what the kit knows), title, one-line description, and whether its agents draw on a
/// canvas (the agent's tab shows one; the agent's settings can change it).</summary>
internal sealed record AgentTemplate(string Key, string Title, string Description, bool Canvas);
