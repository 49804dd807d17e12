// A bench's command-line options, `--name=value`.

/** Every value given as `--name=value`, in order (an option that may repeat). */
export const stringArguments = (name: string): string[] =>
  process.argv.filter((arg) => arg.startsWith(`--${name}=`)).map((arg) => arg.slice(name.length + 3));

/** The value of `--name=value`, or undefined when not given. */
export const stringArgument = (name: string): string | undefined => stringArguments(name)[0];

/** The number given as `--name=value`, or `fallback`. */
export const numberArgument = (name: string, fallback: number): number => Number(stringArgument(name) ?? fallback);
