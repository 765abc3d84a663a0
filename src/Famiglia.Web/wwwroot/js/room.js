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
    // "X started." is no longer true once someone stops X elsewhere (and "X stopped." once it starts).
    for (const notice of document.querySelectorAll(`[data-notice-agent="${CSS.escape(s.agentId)}"]`)) {
      if (notice.dataset.noticeOutdatedBy.split(',').includes(s.status)) notice.remove();
    }
    // A stopped agent's canvas gives way to the placeholder (its page would keep reconnecting to an agent that is not
    // woken); a started one's comes back. The same choice as the page's markup.
    const frame = document.querySelector(`iframe[data-agent-canvas="${CSS.escape(s.agentId)}"]`);
    const placeholder = document.querySelector(`[data-agent-placeholder="${CSS.escape(s.agentId)}"]`);
    const stopped = s.status === 'STOPPED';
    if (frame && placeholder && (stopped || ['STARTING', 'RUNNING'].includes(s.status)) && frame.hidden !== stopped) {
      frame.hidden = stopped;
      placeholder.hidden = !stopped;
      delete frame.dataset.live; // the next page says again whether it follows its version
      if (stopped) frame.removeAttribute('src');
      else frame.src = frame.dataset.src;
    }
  });
  connection.on('canvasVersion', (v) => {
    if (v.agentId !== agentId) return;
    const frame = document.querySelector('iframe.canvas');
    if (!frame) return;
    // The version the frame was rendered with, then each one heard: joining the room tells the latest again, which
    // reloads the canvas only when a bump came between the page's render and its joining.
    const version = String(v.version);
    if (frame.dataset.canvasVersion === version) return;
    frame.dataset.canvasVersion = version;
    // Reload the canvas on a version bump, unless its page said it follows its version itself (below).
    if (!frame.hidden && frame.dataset.live !== 'true') frame.src = frame.src;
  });
  // A canvas page that follows its version on _canvas/events (an app that fetches its data again, keeping its state)
  // says so with postMessage({ famiglia: 'canvas-live' }); until the frame is given another page, bumps leave it alone.
  window.addEventListener('message', (event) => {
    const frame = document.querySelector('iframe.canvas');
    if (frame && event.source === frame.contentWindow && event.data && event.data.famiglia === 'canvas-live') {
      frame.dataset.live = 'true';
    }
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
