// The kiosk screen: ask the demo server for a code, show it, wait for its visitor, greet them,
// then start over with the next code. Plain browser JavaScript, no framework; every text from
// the server goes in with textContent, only the server's own SVG with innerHTML.
const screen = document.querySelector('[data-kiosk]');
const base = screen.dataset.kiosk;
const greetingMs = Number(screen.dataset.greetingMs);
const qr = document.getElementById('qr');
const greeting = document.getElementById('greeting');
const instruction = document.getElementById('instruction');
const status = document.getElementById('status');

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const showCode = (code, note) => {
  qr.innerHTML = code.qrSvg;
  qr.dataset.qrUrl = code.url;
  qr.dataset.state = code.state;
  qr.hidden = false;
  instruction.hidden = false;
  greeting.hidden = true;
  const until = new Date(code.expiresAt).toLocaleTimeString('en-SG', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Asia/Singapore',
  });
  status.textContent = `${note}Waiting for a visitor… (this code works until ${until} SGT)`;
};

const greet = (visitor) => {
  qr.hidden = true;
  instruction.hidden = true;
  greeting.hidden = false;
  greeting.textContent = `Welcome, ${visitor.name}!`;
  status.textContent = `Checked in as ${visitor.partialUinfin}. Next visitor in a moment…`;
};

const waitForVisitor = async (state) => {
  for (;;) {
    const answer = await fetch(`${base}/visitor?state=${encodeURIComponent(state)}`);
    const visitor = await answer.json();
    if (visitor.status === 'arrived') return visitor;
    if (visitor.status === 'expired') return undefined;
    if (visitor.status === 'error') {
      status.textContent = 'Connection trouble, retrying…';
      await pause(3000);
    }
  }
};

const run = async () => {
  let note = '';
  for (;;) {
    try {
      const answer = await fetch(`${base}/qr`, { method: 'POST' });
      if (!answer.ok) throw new Error('no code');
      const code = await answer.json();
      showCode(code, note);
      note = '';
      const visitor = await waitForVisitor(code.state);
      if (visitor) {
        greet(visitor);
        await pause(greetingMs);
      } else {
        note = 'The last code expired: here is a new one. ';
      }
    } catch {
      qr.hidden = true;
      status.textContent = 'The kiosk cannot reach the service. Retrying…';
      await pause(5000);
    }
  }
};

run();
