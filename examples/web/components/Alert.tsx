/** A failure's message where it happened, announced to screen readers (`role="alert"`); nothing without one. */
export function Alert({ message, className = '' }: { message?: string; className?: string }) {
  if (!message) return null;
  return (
    <p className={`error ${className}`.trim()} role="alert">
      {message}
    </p>
  );
}
