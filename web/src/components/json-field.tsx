/** A textarea holding JSON: `onChange` gets the text; `parseJson` reads it for a request. */
import type { TextareaHTMLAttributes } from 'react';

export function JsonField(props: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea spellCheck={false} className="mono" rows={6} {...props} />;
}

/** The JSON value of `text` (undefined when blank), or throws an Error naming `what`. */
export function parseJson(text: string, what: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}
