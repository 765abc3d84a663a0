import { FamigliaAgent } from '@famiglia/agent-sdk'

// Answers every message where it was written: "echo: <body>".
const agent = new FamigliaAgent()
agent.onMessage(msg => msg.reply(`echo: ${msg.body}`))
agent.start()
