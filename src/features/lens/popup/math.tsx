// The Lens's formulas in MathML (Chromium renders MathML Core natively), with the real numbers put in.
import type { ComponentChildren } from 'preact';
import { fmt } from './draw';

const n = (x: number, d = 4) => <mn>{fmt(x, d)}</mn>;
/** “+ b” or “− |b|”, so a negative number reads as a subtraction */
const plus = (b: number, d = 2) => (b < 0 ? <><mo>−</mo>{n(-b, d)}</> : <><mo>+</mo>{n(b, d)}</>);

export function Formula({ label, children }: { label: string; children: ComponentChildren }) {
  return <math display="block" aria-label={label} class="lens-math">{children}</math>;
}

export const ScaleFormula = ({ scale, offset, p, x }: { scale: number; offset: number; p?: number; x?: number }) => (
  <Formula label="input number equals pixel times scale plus offset">
    <mi>x</mi><mo>=</mo><mi>p</mi><mo>×</mo>{n(scale, 6)}{plus(offset)}
    {p !== undefined && x !== undefined && <><mo>=</mo>{n(p, 2)}<mo>×</mo>{n(scale, 6)}{plus(offset)}<mo>=</mo>{n(x, 5)}</>}
  </Formula>
);

export const ConvSum = ({ k, c, sum, bias }: { k: [number, number]; c: number; sum: number; bias: number }) => (
  <Formula label="weighted sum of the window plus bias">
    <mi>z</mi><mo>=</mo>
    <munderover><mo>∑</mo><mrow><mi>i</mi><mo>,</mo><mi>j</mi><mo>,</mo><mi>c</mi></mrow><mrow><mn>{k[0]}</mn><mo>×</mo><mn>{k[1]}</mn><mo>×</mo><mn>{c}</mn></mrow></munderover>
    <msub><mi>x</mi><mrow><mi>i</mi><mi>j</mi><mi>c</mi></mrow></msub><mo>·</mo><msub><mi>w</mi><mrow><mi>i</mi><mi>j</mi><mi>c</mi></mrow></msub>
    <mo>+</mo><mi>b</mi><mo>=</mo>{n(sum)}<mo>+</mo>{n(bias)}<mo>=</mo>{n(sum + bias)}
  </Formula>
);

export const BatchNorm = ({ z, gamma, beta, mean, variance, epsilon, y }: { z: number; gamma: number; beta: number; mean: number; variance: number; epsilon: number; y: number }) => (
  <Formula label="batch normalisation">
    <mi>y</mi><mo>=</mo><mi>γ</mi><mo>·</mo><mfrac><mrow><mi>z</mi><mo>−</mo><mi>μ</mi></mrow><msqrt><msup><mi>σ</mi><mn>2</mn></msup><mo>+</mo><mi>ε</mi></msqrt></mfrac><mo>+</mo><mi>β</mi>
    <mo>=</mo>{n(gamma)}<mo>·</mo><mfrac><mrow>{n(z)}<mo>−</mo>{n(mean)}</mrow><msqrt>{n(variance)}<mo>+</mo>{n(epsilon, 4)}</msqrt></mfrac><mo>+</mo>{n(beta)}<mo>=</mo>{n(y)}
  </Formula>
);

export function Activation({ kind, alpha, y, a }: { kind: string; alpha?: number; y: number; a: number }) {
  if (kind === 'relu6') return <Formula label="ReLU6 clamps to between 0 and 6"><mi>a</mi><mo>=</mo><mo>min</mo><mo>(</mo><mo>max</mo><mo>(</mo>{n(y)}<mo>,</mo><mn>0</mn><mo>)</mo><mo>,</mo><mn>6</mn><mo>)</mo><mo>=</mo>{n(a)}</Formula>;
  if (kind === 'relu') return <Formula label="ReLU keeps positive values, zeroes the rest"><mi>a</mi><mo>=</mo><mo>max</mo><mo>(</mo>{n(y)}<mo>,</mo><mn>0</mn><mo>)</mo><mo>=</mo>{n(a)}</Formula>;
  if (kind === 'leaky') return <Formula label="LeakyReLU lets a little of the negative side through"><mi>a</mi><mo>=</mo><mrow>{y >= 0 ? n(y) : <>{n(alpha ?? 0.3, 2)}<mo>×</mo>{n(y)}</>}</mrow><mo>=</mo>{n(a)}</Formula>;
  return <Formula label="no activation"><mi>a</mi><mo>=</mo><mi>y</mi><mo>=</mo>{n(a)}</Formula>;
}

export const MeanFormula = ({ h, w, sum, mean }: { h: number; w: number; sum: number; mean: number }) => (
  <Formula label="the channel's mean over all positions">
    <mi>m</mi><mo>=</mo><mfrac><mn>1</mn><mrow><mn>{h}</mn><mo>×</mo><mn>{w}</mn></mrow></mfrac><munder><mo>∑</mo><mrow><mi>i</mi><mo>,</mo><mi>j</mi></mrow></munder><msub><mi>x</mi><mrow><mi>i</mi><mi>j</mi></mrow></msub>
    <mo>=</mo><mfrac>{n(sum)}<mn>{h * w}</mn></mfrac><mo>=</mo>{n(mean)}
  </Formula>
);

export const ScoreFormula = ({ count, sum, bias, score }: { count: number; sum: number; bias: number; score: number }) => (
  <Formula label="class score: weighted sum of the inputs plus bias">
    <mi>s</mi><mo>=</mo><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mn>{count}</mn></munderover><msub><mi>w</mi><mi>i</mi></msub><mo>·</mo><msub><mi>x</mi><mi>i</mi></msub><mo>+</mo><mi>b</mi>
    <mo>=</mo>{n(sum)}<mo>+</mo>{n(bias)}<mo>=</mo>{n(score)}
  </Formula>
);

export const SoftmaxFormula = ({ t }: { t: number }) => (
  <Formula label="softmax">
    <msub><mi>p</mi><mi>k</mi></msub><mo>=</mo><mfrac><msup><mi>e</mi><mrow><msub><mi>z</mi><mi>k</mi></msub><mo>/</mo><mi>T</mi></mrow></msup><mrow><msub><mo>∑</mo><mi>j</mi></msub><msup><mi>e</mi><mrow><msub><mi>z</mi><mi>j</mi></msub><mo>/</mo><mi>T</mi></mrow></msup></mrow></mfrac>
    <mtext>  with </mtext><mi>T</mi><mo>=</mo>{n(t, 2)}
  </Formula>
);

export const SigmoidFormula = ({ a, b, za, zb, p }: { a: string; b: string; za: number; zb: number; p: number }) => (
  <Formula label="two classes: the sigmoid of the difference of their scores">
    <mi>P</mi><mo>(</mo><mtext>{a}</mtext><mo>)</mo><mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mo>(</mo><msub><mi>z</mi><mtext>A</mtext></msub><mo>−</mo><msub><mi>z</mi><mtext>B</mtext></msub><mo>)</mo></mrow></msup></mrow></mfrac>
    <mo>=</mo><mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mo>(</mo>{n(za, 3)}<mo>−</mo>{n(zb, 3)}<mo>)</mo></mrow></msup></mrow></mfrac><mo>=</mo>{n(p, 4)}
    <mtext>  (B = {b})</mtext>
  </Formula>
);
