/**
 * The one employer and its payroll. NRICs/FINs, names and dates of birth are MockPass's Myinfo v3
 * personas, so a person consenting here is the same person in MockPass and the other simulators;
 * the employer is the Myinfo Business simulator's entity with that UEN. Wages, join months and
 * the savings each person brought along are illustrative.
 */
export const CPFHUB_EMPLOYER = { uen: '201912345K', name: 'LIONCITY SOFTWARE PTE. LTD.' } as const;

export interface AccountAmounts {
  /** Ordinary Account. */
  oa: number;
  /** Special Account, or from 55 the Retirement Account that replaces it (Jan 2025). */
  sa: number;
  /** MediSave Account. */
  ma: number;
}

export interface CpfhubEmployee {
  employeeId: string;
  /** NRIC or FIN; the OAuth user id (what `X-Custom-User` and the consent page name). */
  userId: string;
  name: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  residency: 'citizen' | 'permanent resident' | 'foreigner';
  /**
   * Foreigners on work passes are not CPF members: the simulator leaves them out of every
   * contribution listing and statement, and refuses contributions submitted for them.
   */
  cpfApplicable: boolean;
  /** First month on this employer's payroll, YYYY-MM; nothing is contributed before it. */
  joined: string;
  /** Dollars, the same every month; December also pays one month's wage as a bonus (additional wages). */
  monthlyOrdinaryWage: number;
  /** Dollars in each account when the person joined (savings from earlier jobs). */
  balancesWhenJoined: AccountAmounts;
}

export const CPFHUB_EMPLOYEES: readonly CpfhubEmployee[] = [
  {
    employeeId: 'E001',
    userId: 'S9812381D',
    name: 'TAN HENG HUAT',
    dateOfBirth: '1998-06-06',
    residency: 'citizen',
    cpfApplicable: true,
    joined: '2019-04',
    monthlyOrdinaryWage: 5200,
    balancesWhenJoined: { oa: 1850, sa: 420, ma: 610 },
  },
  {
    employeeId: 'E002',
    userId: 'S9812379B',
    name: 'LIM YONG XIANG',
    dateOfBirth: '1980-10-06',
    // Past the first two years of PR status, so at full rates like a citizen.
    residency: 'permanent resident',
    cpfApplicable: true,
    joined: '2019-05',
    // Above the ordinary-wage ceiling, so only part of it attracts CPF.
    monthlyOrdinaryWage: 8900,
    balancesWhenJoined: { oa: 48250, sa: 21400, ma: 26900 },
  },
  {
    employeeId: 'E003',
    userId: 'F1612347K',
    name: 'TAN AH HONG',
    dateOfBirth: '1960-05-17',
    residency: 'foreigner',
    cpfApplicable: false,
    joined: '2022-03',
    monthlyOrdinaryWage: 4600,
    balancesWhenJoined: { oa: 0, sa: 0, ma: 0 },
  },
  {
    employeeId: 'E004',
    userId: 'G1612348Q',
    name: 'ALFONSO CRUZ',
    dateOfBirth: '1992-02-01',
    residency: 'foreigner',
    cpfApplicable: false,
    joined: '2023-01',
    monthlyOrdinaryWage: 9500,
    balancesWhenJoined: { oa: 0, sa: 0, ma: 0 },
  },
  {
    employeeId: 'E005',
    userId: 'S9912365F',
    name: 'CHENG MEI QIN',
    dateOfBirth: '1961-06-17',
    residency: 'citizen',
    cpfApplicable: true,
    joined: '2020-01',
    // Crosses the 60-65 and 65-70 age bands while employed here, so rates change mid-year.
    monthlyOrdinaryWage: 6100,
    balancesWhenJoined: { oa: 41250, sa: 96800, ma: 63400 },
  },
];

export const employeeById = (employeeId: string): CpfhubEmployee | undefined =>
  CPFHUB_EMPLOYEES.find((e) => e.employeeId === employeeId);

export const employeeByUserId = (userId: string): CpfhubEmployee | undefined =>
  CPFHUB_EMPLOYEES.find((e) => e.userId === userId);
