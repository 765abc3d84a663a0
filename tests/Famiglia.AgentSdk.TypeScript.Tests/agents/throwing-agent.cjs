// A CommonJS agent that resolves the SDK through NODE_PATH, as agents in the agent-base image do. Its handler throws
// on "throw" and echoes everything else: the SDK must log the error, acknowledge the message and go on.
const { FamigliaAgent } = require('@famiglia/agent-sdk')

const agent = new FamigliaAgent()
agent.onMessage(async (msg) => {
  if (msg.body === 'throw') {
    throw new Error('thrown on purpose by the test agent')
  }

  await msg.reply(`echo: ${msg.body}`)
})
agent.start()
