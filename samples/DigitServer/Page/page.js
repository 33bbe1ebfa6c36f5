// The drawing page: records strokes with Pointer Events (mouse, pen or finger), turns them into a 28×28 image made
// the way MNIST's digits were, and shows what POST /predict answers after every stroke.
"use strict";

const pad = document.getElementById("pad");
const preview = document.getElementById("preview");
const digitOut = document.getElementById("digit");
const statusOut = document.getElementById("status");
const bars = document.getElementById("bars");

const strokes = [];          // each stroke: an array of {x, y} in CSS pixels of the pad
let current = null;          // the stroke being drawn, or null
let requestNumber = 0;       // answers to older requests than the last one are dropped

// ---- the probability bars -------------------------------------------------------------------------------------
const barFills = [];
const barTexts = [];
for (let d = 0; d < 10; d++) {
  const item = document.createElement("li");
  item.innerHTML = `<span class="label" aria-hidden="true">${d}</span>` +
    `<div class="bar" role="progressbar" aria-label="Probability of ${d}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><span></span></div>` +
    `<span class="percent">0 %</span>`;
  bars.appendChild(item);
  barFills.push(item.querySelector(".bar"));
  barTexts.push(item.querySelector(".percent"));
}

function showProbabilities(probabilities, best) {
  probabilities.forEach((p, d) => {
    const percent = Math.round(p * 1000) / 10;
    barFills[d].firstElementChild.style.width = `${percent}%`;
    barFills[d].setAttribute("aria-valuenow", String(percent));
    barTexts[d].textContent = `${percent.toFixed(1)} %`;
    barFills[d].parentElement.classList.toggle("top", d === best);
  });
}

// ---- drawing on the pad -----------------------------------------------------------------------------------------
const ctx = pad.getContext("2d");

function fitCanvasToScreen() {
  const scale = window.devicePixelRatio || 1;
  const size = pad.getBoundingClientRect().width;
  pad.width = Math.round(size * scale);
  pad.height = Math.round(size * scale);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  redraw();
}

function penWidth() { return pad.getBoundingClientRect().width * 0.065; }

function paintStroke(context, points, toX, toY, width) {
  context.lineWidth = width;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.beginPath();
  if (points.length === 1) {
    context.arc(toX(points[0]), toY(points[0]), width / 2, 0, 2 * Math.PI);
    context.fill();
    return;
  }
  context.moveTo(toX(points[0]), toY(points[0]));
  for (let i = 1; i < points.length; i++) context.lineTo(toX(points[i]), toY(points[i]));
  context.stroke();
}

function redraw() {
  const size = pad.getBoundingClientRect().width;
  ctx.fillStyle = "#111";
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = ctx.fillStyle = "#f5f5f5";
  for (const stroke of strokes) paintStroke(ctx, stroke, p => p.x, p => p.y, penWidth());
  ctx.fillStyle = "#111";
}

function pointOf(event) {
  const box = pad.getBoundingClientRect();
  return { x: event.clientX - box.left, y: event.clientY - box.top };
}

pad.addEventListener("pointerdown", event => {
  if (event.button !== 0) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  current = [pointOf(event)];
  strokes.push(current);
  redraw();
});

pad.addEventListener("pointermove", event => {
  if (!current) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of (events.length ? events : [event])) current.push(pointOf(e));
  redraw();
});

function endStroke() {
  if (!current) return;
  current = null;
  predict();
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

document.getElementById("clear").addEventListener("click", () => {
  strokes.length = 0;
  current = null;
  requestNumber++;
  redraw();
  preview.getContext("2d").clearRect(0, 0, 28, 28);
  digitOut.textContent = "?";
  digitOut.dataset.strokes = "0";
  statusOut.textContent = "Cleared. Draw a digit.";
  showProbabilities(new Array(10).fill(0), -1);
});

// ---- MNIST-style preprocessing ----------------------------------------------------------------------------------
// MNIST's digits were scaled to fit a 20×20 box (keeping the aspect ratio) and placed in the 28×28 field so that
// their centre of mass is at the centre. The strokes are drawn again at 10× that resolution with a fixed pen width
// in 28-pixel units, so a digit drawn small or large gets the same stroke thickness as MNIST's, then averaged down.
const SIDE = 28, BOX = 20, CENTRE = 14, SCALE = 10;
const PEN = 2.6;  // stroke width in pixels of the 28×28 image
const work = document.createElement("canvas");
work.width = work.height = SIDE * SCALE;
const workCtx = work.getContext("2d", { willReadFrequently: true });

function renderStrokes(bounds, shiftX, shiftY) {
  const size = Math.max(bounds.maxX - bounds.minX, bounds.maxY - bounds.minY, 1);
  const zoom = (BOX - PEN) / size;
  const midX = (bounds.minX + bounds.maxX) / 2, midY = (bounds.minY + bounds.maxY) / 2;
  workCtx.fillStyle = "#000";
  workCtx.fillRect(0, 0, work.width, work.height);
  workCtx.strokeStyle = workCtx.fillStyle = "#fff";
  for (const stroke of strokes)
    paintStroke(workCtx, stroke,
      p => ((p.x - midX) * zoom + CENTRE + shiftX) * SCALE,
      p => ((p.y - midY) * zoom + CENTRE + shiftY) * SCALE,
      PEN * SCALE);
  // average each 10×10 block into one pixel of the 28×28 image
  const data = workCtx.getImageData(0, 0, work.width, work.height).data;
  const pixels = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < work.height; y++)
    for (let x = 0; x < work.width; x++)
      pixels[Math.floor(y / SCALE) * SIDE + Math.floor(x / SCALE)] += data[(y * work.width + x) * 4] / 255;
  for (let i = 0; i < pixels.length; i++) pixels[i] /= SCALE * SCALE;
  return pixels;
}

function centreOfMass(pixels) {
  let mass = 0, sumX = 0, sumY = 0;
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) {
      const v = pixels[y * SIDE + x];
      mass += v; sumX += x * v; sumY += y * v;
    }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : { x: CENTRE, y: CENTRE };
}

function toMnistPixels() {
  const bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const stroke of strokes)
    for (const p of stroke) {
      bounds.minX = Math.min(bounds.minX, p.x); bounds.maxX = Math.max(bounds.maxX, p.x);
      bounds.minY = Math.min(bounds.minY, p.y); bounds.maxY = Math.max(bounds.maxY, p.y);
    }
  // MNIST's mean centre of mass is at pixel index (14, 14): draw centred on the box, then move by what is left over
  const centred = centreOfMass(renderStrokes(bounds, 0, 0));
  return renderStrokes(bounds, CENTRE - centred.x, CENTRE - centred.y);
}

function showPreview(pixels) {
  const context = preview.getContext("2d");
  const image = context.createImageData(SIDE, SIDE);
  pixels.forEach((v, i) => {
    const grey = Math.round(v * 255);
    image.data.set([grey, grey, grey, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

// ---- asking the server ------------------------------------------------------------------------------------------
async function predict() {
  if (strokes.length === 0) return;
  const number = ++requestNumber;
  const strokeCount = strokes.length;
  const pixels = toMnistPixels();
  showPreview(pixels);
  statusOut.textContent = "Reading…";
  try {
    const response = await fetch("predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ pixels: Array.from(pixels, v => Math.round(v * 1000) / 1000) }),
    });
    const answer = await response.json();
    if (number !== requestNumber) return;  // a newer stroke or Clear came meanwhile
    if (!response.ok) {
      statusOut.textContent = `The server refused the drawing: ${answer.detail || response.statusText}`;
      return;
    }
    digitOut.textContent = String(answer.digit);
    digitOut.dataset.strokes = String(strokeCount);
    showProbabilities(answer.probabilities, answer.digit);
    const article = answer.digit === 8 ? "an" : "a";
    statusOut.textContent = `Looks like ${article} ${answer.digit} (${(answer.probabilities[answer.digit] * 100).toFixed(1)} % sure).`;
  } catch (error) {
    if (number === requestNumber) statusOut.textContent = `Could not reach the server: ${error.message}`;
  }
}

window.addEventListener("resize", fitCanvasToScreen);
fitCanvasToScreen();
