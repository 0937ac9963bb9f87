/**
 * How the demo shows an NRIC/FIN: the first letter and the last four characters (`S****381D`),
 * enough for a person to recognise their own and too little to be used as theirs.
 */
export const maskUinfin = (uinfin: string): string =>
  uinfin.length < 5
    ? '*'.repeat(uinfin.length)
    : `${uinfin[0]}${'*'.repeat(uinfin.length - 5)}${uinfin.slice(-4)}`;
