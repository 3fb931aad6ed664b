import type { EnvironmentPreset } from '../config/presets.js';
import type { OnsEnvironment } from '../config/settings.js';

/** The parts of an Ons client certificate's CN: `{technical_name}-{customer_code}-{identification}`. */
export interface OnsCommonName {
  readonly technicalName: string;
  readonly customerCode: string;
  readonly identification: string;
}

export const TECHNICAL_NAME_PATTERN = /^[a-z0-9_]+$/;
export const IDENTIFICATION_PATTERN = /^[a-zA-Z0-9_]+$/;
const CUSTOMER_CODE_PATTERN = /^[A-Za-z0-9]+$/;
export const COMMON_NAME_EXAMPLE = 'hr_integration-TE1002-free_text';

/** Splits a CN in the Ons pattern; undefined when it does not follow it. */
export function parseOnsCommonName(commonName: string): OnsCommonName | undefined {
  // None of the three parts may contain "-", so the pattern has exactly two separators.
  const parts = commonName.split('-');
  if (parts.length !== 3) return undefined;
  const [technicalName = '', customerCode = '', identification = ''] = parts;
  if (!TECHNICAL_NAME_PATTERN.test(technicalName) || !CUSTOMER_CODE_PATTERN.test(customerCode) || !IDENTIFICATION_PATTERN.test(identification)) {
    return undefined;
  }
  return { technicalName, customerCode, identification };
}

/** The environments whose customer-code rule (config/environments.json) the code satisfies. */
export function environmentsOfCustomerCode(customerCode: string, presets: Readonly<Record<OnsEnvironment, EnvironmentPreset>>): OnsEnvironment[] {
  return Object.values(presets)
    .filter((preset) => preset.customerCode.test(customerCode))
    .map((preset) => preset.environment);
}
