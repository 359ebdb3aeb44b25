/** Counts over the caller's tasks. */
export class TaskStatsDto {
  /** @example 12 */
  total: number;
  /** Not completed. @example 7 */
  pending: number;
  /** @example 5 */
  completed: number;
  /** Not completed and due before now. @example 2 */
  overdue: number;
}
