import { describe, expect, it } from "vitest";
import { bundleToYaml, parseBundleYaml, YamlSyntaxError } from "./bundle-yaml.ts";

const refusal = (text: string) => {
  try {
    parseBundleYaml(text);
  } catch (error) {
    if (error instanceof YamlSyntaxError) return error;
    throw error;
  }
  throw new Error("the YAML was accepted");
};

describe("bundle YAML", () => {
  it("writes what it reads back, strings that look like other things included", () => {
    const data = {
      format: "cartwheel.scenarios/1",
      templates: [
        {
          name: "Welcome",
          html: '<p>Hi {{ contact.first_name }}</p>\n<p class="x">  trailing  </p>\n',
          text: "a\n\n",
          subject: `${"long ".repeat(40)}line`,
          preheader: null,
        },
      ],
      scenarios: [{ name: "007", description: "2026-01-01", priority: 0, definition: {} }],
      segments: [{ name: "yes", description: "", filter: { and: [{ score: { min: 1.5 } }] } }],
    };
    const yaml = bundleToYaml(data);
    expect(yaml).toContain("html: |\n");
    expect(parseBundleYaml(yaml)).toEqual(data);
    // Shared objects are written out twice, not as an alias.
    const shared = { kind: "api" };
    expect(bundleToYaml({ a: shared, b: shared })).toBe("a:\n  kind: api\nb:\n  kind: api\n");
  });

  it("reads dates, yes/no and octal-looking numbers as YAML 1.2 does, not as 1.1 would", () => {
    expect(parseBundleYaml("d: 2026-01-01\nt: yes\nn: 0o17\nz: 007\n")).toEqual({
      d: "2026-01-01",
      t: "yes",
      n: 15,
      z: 7,
    });
  });

  it("refuses bad YAML with the line and column", () => {
    const error = refusal("format: x\nscenarios: [1, 2\n");
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect({ line: error.line, column: error.column }).toEqual({ line: 3, column: 1 });
    expect(error.problems).toEqual([{ path: ["yaml"], message: expect.stringMatching(/^line 3/) }]);
    expect(refusal("a: 1\na: 2\n")).toMatchObject({ line: 2, column: 1 });
    expect(refusal("a: 1\n---\nb: 2\n").reason).toMatch(/multiple documents/);
    expect(refusal("? [1]\n: x\n").reason).toMatch(/keys must be strings/);
  });

  it("refuses tags, custom or not, so no value becomes anything but plain data", () => {
    expect(refusal("a: !foo bar\n")).toMatchObject({ line: 1, column: 4 });
    expect(refusal("a: !!binary aGk=\n").reason).toMatch(/tag/i);
    expect(refusal("a: !!js/function 'return 1'\n").reason).toMatch(/tag/i);
    expect(refusal("a: !!set { x }\n").reason).toMatch(/tag/i);
  });

  it("keeps __proto__ a plain key", () => {
    const parsed = parseBundleYaml("__proto__: { polluted: true }\n") as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("takes a few aliases but not a billion laughs, and refuses it at once", () => {
    expect(parseBundleYaml("a: &x { kind: api }\nb: *x\n")).toEqual({
      a: { kind: "api" },
      b: { kind: "api" },
    });
    const names = "abcdefghij";
    let laughs = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
    for (let i = 1; i < names.length; i++) {
      laughs += `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(", ")}]\n`;
    }
    const started = performance.now();
    expect(refusal(laughs).reason).toMatch(/aliases/);
    expect(performance.now() - started).toBeLessThan(1000);
    const many = `a: &a 1\nlist: [${Array(101).fill("*a").join(", ")}]\n`;
    expect(refusal(many).reason).toBe("more than 100 aliases");
  });

  it("refuses text over the limit before parsing it", () => {
    expect(() => parseBundleYaml(`a: "${"x".repeat(10_000_001)}"`)).toThrow(/over 10000000/);
  });
});
