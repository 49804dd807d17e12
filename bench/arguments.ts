// A bench's command-line options, `--name=value`.

/** The value of `--name=value`, or undefined when not given. */
export const stringArgument = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The number given as `--name=value`, or `fallback`. */
export const numberArgument = (name: string, fallback: number): number => Number(stringArgument(name) ?? fallback);
