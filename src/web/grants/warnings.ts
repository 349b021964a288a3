import type { Warning, WarningCode } from '../../conditions/warnings.ts';

export interface ListedWarning {
  readonly code: WarningCode;
  readonly text: string;
  /** The line, or the category's lines, the warning is about; null when it is about the grant. */
  readonly href: string | null;
}

/**
 * The summary's warnings as the dashboard lists them, in the summary's order. Over-allocation
 * is left out: the dashboard gives it a banner of its own, above the list.
 */
export function listedWarnings(grantId: string, warnings: readonly Warning[]): ListedWarning[] {
  return warnings
    .filter((warning) => warning.code !== 'over-allocation')
    .map((warning) => ({
      code: warning.code,
      text: warning.message,
      href: warning.commitmentId
        ? `/commitments/${warning.commitmentId}`
        : warning.category
          ? `/grants/${grantId}/commitments?${new URLSearchParams({ category: warning.category }).toString()}`
          : null,
    }));
}

/** The summary's own words for the over-allocation, for the banner's body. */
export function overAllocationMessage(warnings: readonly Warning[]): string | null {
  return warnings.find((warning) => warning.code === 'over-allocation')?.message ?? null;
}
