import { validateDockerfile } from './validate';

describe('validateDockerfile', () => {
  it('names the file, line and the unknown instruction', () => {
    expect(() => validateDockerfile('FROM busybox\nCOPPY a /a\n', 'services/x/Dockerfile')).toThrow(
      'services/x/Dockerfile:2: unknown instruction "COPPY"',
    );
  });

  it('refuses a Dockerfile without FROM', () => {
    expect(() => validateDockerfile('# nothing\n', 'Dockerfile')).toThrow('Dockerfile has no FROM instruction');
  });

  it('lists the stages when the target stage is not there', () => {
    const text = 'FROM golang AS build\nFROM busybox AS production\n';
    expect(() => validateDockerfile(text, 'Dockerfile', 'nope')).toThrow(
      'target stage "nope" is not in Dockerfile: its stages are build, production',
    );
    expect(() => validateDockerfile(text, 'Dockerfile', 'production')).not.toThrow();
  });
});
