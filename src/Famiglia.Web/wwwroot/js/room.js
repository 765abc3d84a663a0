// The room page: live chat (main chat or an agent's thread), agent status badges and canvas reloads over SignalR.
(() => {
  const chat = document.querySelector('[data-room-id]');
  if (!chat) return;
  const roomId = chat.dataset.roomId;
  const thread = chat.dataset.thread || null;
  const agentId = document.querySelector('[data-agent-id]')?.dataset.agentId ?? null;
  const list = chat.querySelector('[data-testid="messages"]');
  const form = chat.querySelector('[data-testid="composer"]');
  const error = chat.querySelector('[data-testid="chat-error"]');
  const seen = new Set();

  const showError = (text) => { error.textContent = text; error.hidden = !text; };

  // Today's messages show the time; older ones the date too (and the year when it is not this year), so a
  // conversation that spans days does not read as out of order.
  const stamp = (at) => {
    const clock = { hour: '2-digit', minute: '2-digit' };
    const now = new Date();
    if (at.toDateString() === now.toDateString()) return at.toLocaleTimeString([], clock);
    const day = at.getFullYear() === now.getFullYear() ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' };
    return at.toLocaleString([], { ...day, ...clock });
  };

  const render = (m) => {
    if ((m.thread ?? null) !== thread || seen.has(m.id)) return;
    seen.add(m.id);
    const item = document.createElement('li');
    item.className = m.authorNick.startsWith('@s:') ? 'message from-agent' : 'message';
    item.dataset.testid = 'message';
    const who = document.createElement('span');
    who.className = 'author';
    who.textContent = m.authorName;
    const body = document.createElement('span');
    body.className = 'body';
    body.textContent = m.body;
    const time = document.createElement('time');
    const at = new Date(m.createdAt);
    time.dateTime = m.createdAt;
    time.textContent = stamp(at);
    time.title = at.toLocaleString();
    item.append(who, body, time);
    list.append(item);
    list.scrollTop = list.scrollHeight;
  };

  const connection = new signalR.HubConnectionBuilder().withUrl('/hubs/chat').withAutomaticReconnect().build();
  connection.on('message', render);
  connection.on('agentStatus', (s) => {
    for (const badge of document.querySelectorAll(`[data-agent-status="${CSS.escape(s.agentId)}"]`)) {
      badge.textContent = s.status.toLowerCase();
      badge.className = `status status-${s.status.toLowerCase()}`;
    }
    // The same rule as RoomModel.CanStart / CanStop.
    for (const button of document.querySelectorAll(`[data-agent-start="${CSS.escape(s.agentId)}"]`)) {
      button.disabled = ['RUNNING', 'STARTING', 'PAUSED'].includes(s.status);
    }
    for (const button of document.querySelectorAll(`[data-agent-stop="${CSS.escape(s.agentId)}"]`)) {
      button.disabled = s.status === 'STOPPED';
    }
    // A stopped agent's canvas goes (its page would keep reconnecting to an agent that is not woken); a started one's
    // comes back. The same choice as the page's markup.
    const canvas = document.querySelector(`[data-agent-canvas="${CSS.escape(s.agentId)}"]`);
    if (canvas && s.status === 'STOPPED' && canvas.tagName === 'IFRAME') {
      const placeholder = document.createElement('div');
      placeholder.className = 'canvas placeholder';
      placeholder.dataset.testid = 'canvas-placeholder';
      placeholder.dataset.agentCanvas = s.agentId;
      placeholder.dataset.agentName = canvas.dataset.agentName;
      placeholder.dataset.src = canvas.src;
      placeholder.textContent = `${canvas.dataset.agentName} is stopped. Start it to see its canvas; what is written here meanwhile is answered when it starts.`;
      canvas.replaceWith(placeholder);
    } else if (canvas && canvas.dataset.src && ['STARTING', 'RUNNING'].includes(s.status) && canvas.tagName !== 'IFRAME') {
      const frame = document.createElement('iframe');
      frame.className = 'canvas';
      frame.dataset.testid = 'canvas';
      frame.dataset.agentCanvas = s.agentId;
      frame.dataset.agentName = canvas.dataset.agentName;
      frame.title = `${canvas.dataset.agentName} canvas`;
      frame.sandbox = 'allow-scripts';
      frame.referrerPolicy = 'no-referrer';
      frame.src = canvas.dataset.src;
      canvas.replaceWith(frame);
    }
  });
  connection.on('canvasVersion', (v) => {
    if (v.agentId !== agentId) return;
    const frame = document.querySelector('iframe.canvas');
    if (frame) frame.src = frame.src; // reload the canvas on a version bump
  });

  const join = async () => {
    const history = thread
      ? await connection.invoke('JoinThread', roomId, thread)
      : await connection.invoke('JoinRoom', roomId);
    history.slice().sort((a, b) => a.createdAt.localeCompare(b.createdAt)).forEach(render);
    chat.dataset.ready = 'true';
  };
  connection.onreconnected(() => join().catch((e) => showError(e.message)));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = form.elements.body;
    const body = input.value.trim();
    if (!body) return;
    try {
      await connection.invoke('Send', roomId, body, thread);
      input.value = '';
      showError('');
    } catch (e) {
      showError(e.message.replace(/^.*HubException: /, ''));
    }
  });

  connection.start().then(join).catch((e) => showError(`Chat is not available: ${e.message}`));
})();
