// Any UUID layout (the md5-derived ids of imported data are not version 4).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical text form (any case). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
