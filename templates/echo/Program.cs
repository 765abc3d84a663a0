using Famiglia.AgentSdk;

// Answers every message where it was written: "echo: <body>".
await using var agent = new FamigliaAgent();
agent.OnMessage(msg => msg.ReplyAsync($"echo: {msg.Body}"));
await agent.RunAsync();
