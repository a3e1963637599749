/**
 * The hook's code in CodeMirror 6: JavaScript or TypeScript highlighting, completion of
 * `ctx.` members, TypeScript's type errors as you type (a TypeScript hook, checked in a
 * worker), the server's syntax errors marked at their line, and Mod-S / Mod-Enter for save
 * and test.
 */
import { useEffect, useRef } from 'react';
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { javascript, javascriptLanguage, typescriptLanguage } from '@codemirror/lang-javascript';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import type { HookType } from '../../api/client';
import { ctxCompletion } from './ctx-completion';
import { typeProblems } from './type-check-client';

/** A problem to mark: 1-based line and column, as the server reports them. */
export interface CodeProblem {
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

export interface CodeEditorProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly hookType: HookType;
  readonly language: 'javascript' | 'typescript';
  readonly problems: readonly CodeProblem[];
  readonly readOnly: boolean;
  readonly onSave: () => void;
  readonly onTest: () => void;
}

function toDiagnostics(state: EditorState, problems: readonly CodeProblem[]): Diagnostic[] {
  return problems
    .filter((p) => p.line >= 1 && p.line <= state.doc.lines)
    .map((p) => {
      const line = state.doc.line(p.line);
      const from = Math.min(line.from + Math.max(0, (p.column ?? 1) - 1), line.to);
      return { from, to: line.to > from ? line.to : from, severity: 'error' as const, message: p.message };
    });
}

/** A TypeScript hook is type-checked once typing pauses; a JavaScript one is not. */
const checkedIf = (language: CodeEditorProps['language'], hookType: HookType) =>
  language === 'typescript'
    ? linter(
        async (view) => (await typeProblems(view.state.doc.toString(), hookType)).map((p): Diagnostic => ({ ...p, source: 'TypeScript' })),
        { delay: 400 },
      )
    : [];

/** A viewer's editor: nothing can be typed, and it is not announced as editable. */
const lockedIf = (readOnly: boolean) => [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];

export function CodeEditor(props: CodeEditorProps) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const latest = useRef(props);
  latest.current = props;
  const language = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const checking = useRef(new Compartment());

  useEffect(() => {
    const langOf = (lang: string) => javascript({ typescript: lang === 'typescript' });
    const created = new EditorView({
      parent: parent.current!,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          keymap.of([
            { key: 'Mod-s', preventDefault: true, run: () => (latest.current.onSave(), true) },
            { key: 'Mod-Enter', preventDefault: true, run: () => (latest.current.onTest(), true) },
            ...completionKeymap,
          ]),
          basicSetup,
          language.current.of(langOf(latest.current.language)),
          editable.current.of(lockedIf(latest.current.readOnly)),
          checking.current.of(checkedIf(latest.current.language, latest.current.hookType)),
          // Long lines wrap: the page scrolls, never a box inside it a keyboard user cannot reach.
          EditorView.lineWrapping,
          javascriptLanguage.data.of({ autocomplete: ctxCompletion(latest.current.hookType) }),
          typescriptLanguage.data.of({ autocomplete: ctxCompletion(latest.current.hookType) }),
          autocompletion({ activateOnTyping: true }),
          lintGutter(),
          EditorView.contentAttributes.of({ 'aria-label': 'Hook code' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => created.destroy();
  }, []);

  useEffect(() => {
    view.current?.dispatch({
      effects: [
        language.current.reconfigure(javascript({ typescript: props.language === 'typescript' })),
        checking.current.reconfigure(checkedIf(props.language, props.hookType)),
      ],
    });
  }, [props.language, props.hookType]);
  useEffect(() => {
    view.current?.dispatch({ effects: editable.current.reconfigure(lockedIf(props.readOnly)) });
  }, [props.readOnly]);
  useEffect(() => {
    const current = view.current;
    if (current) current.dispatch(setDiagnostics(current.state, toDiagnostics(current.state, props.problems)));
  }, [props.problems]);
  // A value changed from outside (a reload after save) replaces the document.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== props.value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div ref={parent} className="code-editor" data-testid="code-editor" />;
}
