import type {
  MyinfoAddress,
  MyinfoAttribute,
  MyinfoCpfBalances,
  MyinfoPerson,
  MyinfoPhone,
} from '../../packages/client/src/index.ts';
import { maskUinfin } from './mask.ts';

/**
 * Myinfo data items as a form shows them. Myinfo's rules: government-verified items (source 1,
 * and 4 verified by Singpass) must not be editable; user-provided ones (source 2) may be; an item
 * not applicable to the person (source 3) is ignored; an unavailable one reads "Not available".
 */
export interface FormField {
  name: string;
  label: string;
  value: string;
  locked: boolean;
  note?: string;
}

type ItemMetadata = { source?: unknown; unavailable?: boolean };

const NOT_AVAILABLE = 'Not available';

const isLocked = (item: ItemMetadata) => item.source === '1' || item.source === '4';

const textOf = (item: MyinfoAttribute): string => {
  if (item.unavailable) return NOT_AVAILABLE;
  if (item.desc) return item.desc;
  return item.value === undefined ? '' : String(item.value);
};

export const addressText = (address: MyinfoAddress): string => {
  if (address.unavailable) return NOT_AVAILABLE;
  if (address.type === 'Unformatted') {
    return [address.line1?.value, address.line2?.value].filter(Boolean).join(', ');
  }
  const floorUnit =
    address.floor?.value && address.unit?.value ? `#${address.floor.value}-${address.unit.value}` : '';
  return [
    [address.block?.value, address.street?.value].filter(Boolean).join(' '),
    floorUnit,
    address.building?.value,
    address.postal?.value ? `Singapore ${address.postal.value}` : '',
  ]
    .filter(Boolean)
    .join(', ');
};

export const phoneText = (phone: MyinfoPhone): string =>
  phone.unavailable
    ? NOT_AVAILABLE
    : `${phone.prefix?.value ?? ''}${phone.areacode?.value ?? ''} ${phone.nbr?.value ?? ''}`.trim();

const dollars = new Intl.NumberFormat('en-SG', { style: 'currency', currency: 'SGD' });

export const money = (amount: number): string => dollars.format(amount);

const cpfText = (balances: MyinfoCpfBalances): string =>
  balances.unavailable || typeof balances.oa?.value !== 'number' ? NOT_AVAILABLE : money(balances.oa.value);

type FieldReader = (person: MyinfoPerson) => { item: ItemMetadata; value: string } | undefined;

const simple =
  (name: keyof MyinfoPerson): FieldReader =>
  (person) => {
    const item = person[name] as MyinfoAttribute | undefined;
    return item ? { item, value: textOf(item) } : undefined;
  };

/** The form's fields in order; the NRIC is masked here, before it could reach any page. */
const FIELDS: { name: string; label: string; read: FieldReader; wide?: boolean }[] = [
  {
    name: 'uinfin',
    label: 'NRIC / FIN',
    read: (person) =>
      person.uinfin ? { item: person.uinfin, value: maskUinfin(textOf(person.uinfin)) } : undefined,
  },
  { name: 'name', label: 'Full name', read: simple('name') },
  { name: 'sex', label: 'Sex', read: simple('sex') },
  { name: 'race', label: 'Race', read: simple('race') },
  { name: 'nationality', label: 'Nationality', read: simple('nationality') },
  { name: 'dob', label: 'Date of birth', read: simple('dob') },
  {
    name: 'regadd',
    label: 'Registered address',
    wide: true,
    read: (person) =>
      person.regadd ? { item: person.regadd, value: addressText(person.regadd) } : undefined,
  },
  {
    name: 'mobileno',
    label: 'Mobile number',
    read: (person) =>
      person.mobileno ? { item: person.mobileno, value: phoneText(person.mobileno) } : undefined,
  },
  { name: 'email', label: 'Email', read: simple('email') },
  {
    name: 'cpfbalances',
    label: 'CPF Ordinary Account',
    read: (person) =>
      person.cpfbalances ? { item: person.cpfbalances, value: cpfText(person.cpfbalances) } : undefined,
  },
];

export const formFields = (person: MyinfoPerson): (FormField & { wide: boolean })[] =>
  FIELDS.flatMap((field) => {
    const found = field.read(person);
    if (!found || found.item.source === '3') return [];
    const locked = isLocked(found.item);
    return [
      {
        name: field.name,
        label: field.label,
        value: found.value,
        locked,
        wide: field.wide ?? false,
        ...(locked ? {} : { note: 'You gave this to Myinfo yourself: you may change it.' }),
      },
    ];
  });
