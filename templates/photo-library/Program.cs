using Famiglia.AgentSdk;
using PhotoLibrary;

// Spec §8.1: asked about photos, the agent builds a gallery of the group's image posts on its canvas.
await using var agent = new FamigliaAgent();
agent.OnMessage(async msg =>
{
    if (!GalleryRequest.Matches(msg.Body, inMainChat: msg.Thread is null))
    {
        // The room's main chat is people talking to each other: the agent speaks there only when asked for a
        // gallery. In its own tab every message is for it, so it says what it can do.
        if (msg.Thread is not null)
        {
            await msg.ReplyAsync("Ask me to build a photo library from the group's photos.");
        }

        return;
    }

    try
    {
        var (photos, total) = await ImageFeed.ReadAllAsync(agent.Api, agent.Stopping);
        await agent.Canvas.WriteAsync("index.html", GalleryPage.Render(photos, total), agent.Stopping);
        // Bump first: the tab reloads while the reply travels, so the gallery is there when the user reads it.
        await agent.Canvas.BumpVersionAsync();
        await msg.ReplyAsync($"Found {total} photos! Gallery is ready.");
    }
    catch (FamigliaAgentException ex)
    {
        await msg.ReplyAsync($"Sorry, I could not build the gallery: {ex.Message}");
    }
});
await agent.RunAsync();
