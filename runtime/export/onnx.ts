// The masked inference network as an ONNX model (opset 17, IR version 8), encoded by hand with
// runtime/export/protobuf.ts (field numbers from onnx/onnx.proto). Masked weights W ⊙ mask are
// FLOAT initialisers (raw_data, little-endian). The input is the normalised image batch
// [N, ...input] named `input` (normalise as docs/export.md says); the output is `logits`
// [N, classes]. Layers map one to one: linear → Gemm(transB=1), conv → Conv, relu → Relu,
// flatten → Flatten, maxpool → MaxPool, avgpool → AveragePool(count_include_pad=1, PyTorch's
// default), global_avgpool → GlobalAveragePool (+ Flatten when the layer's output is [C]),
// batchnorm → BatchNormalization (non-affine: scale 1, bias 0, with the running statistics),
// residual → body, shortcut and Add.
import type { Layer } from '../../compiler/plan/config.js';
import { ProtoWriter } from './protobuf.js';
import { maskedWeight, type Subnetwork } from './subnetwork.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
const FLOAT = 1;

interface Node {
  op: string;
  inputs: string[];
  output: string;
  attrs?: Record<string, number | number[]>;
}

interface Init {
  name: string;
  dims: number[];
  data: Float32Array;
}

function attribute(w: ProtoWriter, name: string, v: number | number[]): void {
  // AttributeProto: name 1, type 20 (INT 2, INTS 7), i 3, ints 8.
  w.string(1, name);
  if (Array.isArray(v)) {
    w.varint(20, 7);
    for (const x of v) w.varint(8, x);
  } else {
    w.varint(20, 2);
    w.varint(3, v);
  }
}

function valueInfo(w: ProtoWriter, name: string, dims: (number | string)[]): void {
  // ValueInfoProto { name 1, type 2 { tensor_type 1 { elem_type 1, shape 2 { dim 1 { dim_value 1 | dim_param 2 } } } } }
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (t) => {
      t.varint(1, FLOAT);
      t.message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
      });
    }),
  );
}

export function onnxModel(net: Subnetwork, meta: Record<string, string>, producerVersion: string): Uint8Array {
  const cfg = net.config;
  const nodes: Node[] = [];
  const inits: Init[] = [];
  const byLayer = new Map(net.layers.map((l) => [l.layer.name, l]));
  const extra = (layer: string, role: string) => net.extras.find((e) => e.tensor.layer === layer && e.tensor.role === role)?.data;
  let n = 0;
  const fresh = (name: string) => `${name}:${n++}`;

  const emit = (layers: Layer[], input: string): string => {
    let cur = input;
    for (const l of layers) {
      const out = fresh(l.name);
      switch (l.kind) {
        case 'linear':
        case 'conv': {
          const x = byLayer.get(l.name)!;
          const wName = `${l.name}.weight`;
          inits.push({ name: wName, dims: l.kind === 'linear' ? [l.outFeatures, l.inFeatures] : [l.outChannels, l.inChannels, l.kernel, l.kernel], data: maskedWeight(x) });
          if (l.kind === 'linear') nodes.push({ op: 'Gemm', inputs: [cur, wName], output: out, attrs: { transB: 1 } });
          else {
            const p = l.padding;
            nodes.push({ op: 'Conv', inputs: [cur, wName], output: out, attrs: { kernel_shape: [l.kernel, l.kernel], strides: [l.stride, l.stride], pads: [p, p, p, p] } });
          }
          break;
        }
        case 'relu':
          nodes.push({ op: 'Relu', inputs: [cur], output: out });
          break;
        case 'flatten':
          nodes.push({ op: 'Flatten', inputs: [cur], output: out, attrs: { axis: 1 } });
          break;
        case 'maxpool':
        case 'avgpool': {
          const p = l.padding;
          const attrs: Record<string, number | number[]> = { kernel_shape: [l.kernel, l.kernel], strides: [l.stride, l.stride], pads: [p, p, p, p] };
          if (l.kind === 'avgpool') attrs.count_include_pad = 1;
          nodes.push({ op: l.kind === 'maxpool' ? 'MaxPool' : 'AveragePool', inputs: [cur], output: out, attrs });
          break;
        }
        case 'global_avgpool':
          if (l.outShape.length === 1) {
            const pooled = fresh(`${l.name}.pooled`);
            nodes.push({ op: 'GlobalAveragePool', inputs: [cur], output: pooled });
            nodes.push({ op: 'Flatten', inputs: [pooled], output: out, attrs: { axis: 1 } });
          } else nodes.push({ op: 'GlobalAveragePool', inputs: [cur], output: out });
          break;
        case 'batchnorm': {
          const C = l.channels;
          const names = ['scale', 'bias', 'running_mean', 'running_var'].map((s) => `${l.name}.${s}`);
          const mean = extra(l.name, 'bn_running_mean');
          const variance = extra(l.name, 'bn_running_var');
          if (!mean || !variance) throw new Error(`internal: no running statistics for ${l.name}`);
          const scale = (l.affine && extra(l.name, 'bn_gamma')) || new Float32Array(C).fill(1);
          const bias = (l.affine && extra(l.name, 'bn_beta')) || new Float32Array(C);
          [scale, bias, mean, variance].forEach((data, i) => inits.push({ name: names[i], dims: [C], data }));
          nodes.push({ op: 'BatchNormalization', inputs: [cur, ...names], output: out, attrs: { epsilon: l.eps } });
          break;
        }
        case 'residual': {
          const body = emit(l.body, cur);
          const shortcut = l.shortcut.length ? emit(l.shortcut, cur) : cur;
          nodes.push({ op: 'Add', inputs: [body, shortcut], output: out });
          break;
        }
      }
      cur = out;
    }
    return cur;
  };
  const last = emit(cfg.model.layers, 'input');
  // The graph's output gets a stable name.
  nodes.push({ op: 'Identity', inputs: [last], output: 'logits' });

  const model = new ProtoWriter();
  model.varint(1, ONNX_IR_VERSION);
  model.string(2, 'subnet');
  model.string(3, producerVersion);
  model.message(7, (g) => {
    for (const node of nodes) {
      g.message(1, (w) => {
        for (const i of node.inputs) w.string(1, i);
        w.string(2, node.output);
        w.string(3, node.output);
        w.string(4, node.op);
        for (const [k, v] of Object.entries(node.attrs ?? {})) {
          if (k === 'epsilon') w.message(5, (a) => (a.string(1, k), a.varint(20, 1), a.float(2, v as number)));
          else w.message(5, (a) => attribute(a, k, v));
        }
      });
    }
    g.string(2, `${cfg.experiment}`);
    for (const t of inits) {
      // TensorProto: dims 1, data_type 2, name 8, raw_data 9.
      g.message(5, (w) => {
        w.packedVarints(1, t.dims);
        w.varint(2, FLOAT);
        w.string(8, t.name);
        w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      });
    }
    g.message(11, (w) => valueInfo(w, 'input', ['N', ...cfg.model.input]));
    g.message(12, (w) => valueInfo(w, 'logits', ['N', cfg.model.classes]));
  });
  model.message(8, (o) => (o.string(1, ''), o.varint(2, ONNX_OPSET)));
  for (const [k, v] of Object.entries(meta)) model.message(14, (e) => (e.string(1, k), e.string(2, v)));
  return model.finish();
}
