// The one function every text bound for a terminal passes through. Records, labels, API
// documents and files come from elsewhere: an ESC or OSC sequence in a recorded URL, an
// x-ons-usecase label or an API document's summary would otherwise move the cursor, retitle
// the window, hide lines or plant a link. Control characters are shown escaped instead: the
// C0 ones as \x1b (JSON.stringify has already escaped those inside JSON text), DEL, the C1
// ones and the bidirectional overrides as \u009b and \u202e, which JSON text reads back as
// the same character. Line breaks and tabs stay: they are the layout.

// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

function escaped(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown escaped (`\x1b`); the same string when it has none. */
export function terminalText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escaped) : text;
}
