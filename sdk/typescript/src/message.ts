/** A chat message delivered to the agent: from the room's main chat ({@link thread} is null) or from the agent's
 * document thread. The agent's own messages are never delivered. */
export interface AgentMessage {
  /** The room's archive id (stanza-id) of the message, else the sender's origin-id. Delivery is at-least-once: after
   * an agent crash the same message can arrive again with the same id. */
  readonly id: string;
  /** The sender's nick, for instance `@u:alice@dev1.localhost` (people) or `@s:...` (agents). */
  readonly from: string;
  /** The message text. */
  readonly body: string;
  /** The document thread the message was written in, or null for the room's main chat. */
  readonly thread: string | null;
  /** When the message was sent. */
  readonly timestamp: Date;
  /** The room's MUC address. */
  readonly room: string;
  /** Answers where the message was written: into its {@link thread}, or into the room's main chat (as
   * {@link FamigliaAgent.announce} does) when it came from there. Resolves with the reply's origin-id. */
  reply(text: string): Promise<string>;
}
