/**
 * Ask: a question about the published insights, answered by the analyst (POST /v1/ask). Every
 * figure in an answer links to the view that shows it; an abstention or refusal says why. The
 * questions stay in this page only (not in the URL or storage: they may name things).
 */
import { useState, type FormEvent } from 'react';
import type { AskAnswer } from '@silhouette/contracts/ask';
import { api } from '../api-client';
import { Link, type Route } from '../router';
import { ErrorMessage } from '../ui';

const MAX_CHARS = 500;

const SUGGESTIONS = [
  'How many conversations were there in the last 4 weeks?',
  'How much time did it save?',
  'Which team has the most conversations?',
  'Top 5 clusters by minutes saved',
  'Which clusters fail most?',
  'Is usage growing?',
  'Compare the last 2 weeks with the 2 weeks before',
];

const STATUS_LABEL: Record<AskAnswer['status'], string> = {
  answered: 'Answered',
  abstained: 'The data does not say',
  refused: 'Refused',
};

function AnswerCard({ answer }: { answer: AskAnswer }) {
  return (
    <article
      className="card ask-answer"
      data-testid="ask-answer"
      aria-label={`Answer: ${answer.question}`}
    >
      <p className="muted small ask-question">{answer.question}</p>
      <p className="ask-text" data-testid="ask-text">
        {answer.answer}
      </p>
      <p className="row small">
        <span
          className={`badge ${answer.status === 'answered' ? 'ok' : answer.status === 'refused' ? 'bad' : 'warn'}`}
          data-testid="ask-status"
        >
          {STATUS_LABEL[answer.status]}
        </span>
        <span className="muted">
          {answer.mode === 'llm' ? 'language model' : 'offline analyst'}
        </span>
      </p>
      {answer.reason && (
        <p role="note" className="ask-reason" data-testid="ask-reason">
          Why: {answer.reason}
        </p>
      )}
      {answer.figures.length > 0 && (
        <>
          <h3 className="small">Figures cited</h3>
          <ul className="ask-figures">
            {answer.figures.map((figure, index) => (
              <li key={index}>
                <strong>{figure.shown}</strong>{' '}
                {figure.link ? (
                  <Link to={figure.link as Route} label={`Show ${figure.label}`}>
                    {figure.label}
                  </Link>
                ) : (
                  <span>{figure.label}</span>
                )}
                {figure.interval && (
                  <span className="muted">
                    {' '}
                    (90% interval {figure.interval.low.toLocaleString()} to{' '}
                    {figure.interval.high.toLocaleString()})
                  </span>
                )}
              </li>
            ))}
          </ul>
          <p className="muted small">Snapshot {answer.snapshot_id}</p>
        </>
      )}
      {answer.status === 'abstained' && answer.question_shapes && (
        <details>
          <summary className="small">Questions the offline analyst understands</summary>
          <ul className="small">
            {answer.question_shapes.map((shape) => (
              <li key={shape}>{shape}</li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

export function Ask({ csrf }: { csrf: string }) {
  const [question, setQuestion] = useState('');
  const [answers, setAnswers] = useState<AskAnswer[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  async function submit(text: string) {
    const trimmed = text.trim();
    if (!trimmed || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.ask(csrf, trimmed);
      setAnswers((previous) => [answer, ...previous]);
      setQuestion('');
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h2>Ask</h2>
      <p className="muted">
        Questions about the published figures. Every number in an answer is a published figure (or
        arithmetic on them), linked to where it is shown; when the data cannot answer, it says so.
      </p>
      <form
        className="card ask-form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void submit(question);
        }}
      >
        <label htmlFor="ask-question">Your question</label>
        <textarea
          id="ask-question"
          rows={2}
          maxLength={MAX_CHARS}
          value={question}
          onChange={(event) => setQuestion(event.target.value)}
          placeholder="e.g. Which team saved the most time?"
        />
        <p className="row small">
          <span className="muted">
            {question.length}/{MAX_CHARS}
          </span>
          <span className="spacer" />
          <button type="submit" disabled={busy || question.trim().length === 0}>
            {busy ? 'Asking…' : 'Ask'}
          </button>
        </p>
        <div className="ask-suggestions" aria-label="Suggested questions">
          {SUGGESTIONS.map((suggestion) => (
            <button
              key={suggestion}
              type="button"
              className="suggestion"
              disabled={busy}
              onClick={() => {
                setQuestion(suggestion);
                void submit(suggestion);
              }}
            >
              {suggestion}
            </button>
          ))}
        </div>
      </form>
      {error && <ErrorMessage error={error} />}
      <div aria-live="polite">
        {answers.map((answer, index) => (
          <AnswerCard key={answers.length - index} answer={answer} />
        ))}
      </div>
    </>
  );
}
