// The hosted verification flow: shows one step at a time, captures photos with the camera (or
// from a file when the session allows it), sends them to this server's /flow/<token>/…
// endpoints, and finishes. No API key or SDK token here: the link itself is the credential.
'use strict';

(function () {
  const main = document.getElementById('flow');
  if (!main || main.classList.contains('gone')) return;

  // Uploads must be 34 KB to 4 MB (the server checks again).
  const MIN_BYTES = 34000;
  const MAX_BYTES = 4 * 1024 * 1024;
  const VIDEO_FRAMES = 3;

  const base = location.pathname.replace(/\/+$/, '');
  const data = main.dataset;
  const lang = data.lang || 'en';
  const supported = JSON.parse(data.supported || '{}');
  const state = { docType: '', country: '', sides: 1, images: [] };
  const errorBox = document.getElementById('error');
  let stream = null;

  class FlowError extends Error {}

  const msg = (name) => data['msg' + name] || data.msgGeneric;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // The steps this session has, in order; "back" only for two-sided documents.
  function steps() {
    return Array.from(main.querySelectorAll('section[data-step]'))
      .map((s) => s.dataset.step)
      .filter((s) => s !== 'done' && (s !== 'back' || state.sides === 2));
  }

  function section(name) {
    return main.querySelector('section[data-step="' + name + '"]');
  }

  function show(name) {
    showError('');
    stopCamera();
    main.querySelectorAll('section[data-step]').forEach((s) => {
      s.hidden = s.dataset.step !== name;
    });
    const list = steps();
    const at = list.indexOf(name);
    const current = name === 'back' ? 'front' : name;
    let passed = true;
    main.querySelectorAll('#progress li').forEach((li) => {
      const here = li.dataset.for === current;
      if (here) passed = false;
      li.classList.toggle('done', passed && name !== 'consent');
      if (here) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    const text = document.getElementById('progress-text');
    text.textContent = at >= 0
      ? msg('Step').replace('{n}', at + 1).replace('{total}', list.length)
      : '';
    main.dataset.current = name;
    const heading = section(name).querySelector('h1');
    heading.tabIndex = -1;
    heading.focus();
    const sec = section(name);
    if (sec.classList.contains('capture')) startCapture(sec);
  }

  function next(from) {
    const list = steps();
    show(list[list.indexOf(from) + 1] || 'review');
  }

  // ---- Talking to the server ----

  async function api(path, body) {
    let response;
    try {
      response = await fetch(base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new FlowError(msg('Network'));
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (e) {
      answer = null;
    }
    if (response.ok) return answer;
    if (response.status === 410) throw new FlowError(msg('Gone'));
    if (response.status === 413) throw new FlowError(msg('TooLarge'));
    const param = answer && answer.param;
    if (param === 'data' || param === 'frames') {
      const text = String(answer.message || '');
      throw new FlowError(/between|size/i.test(text) ? msg('TooSmall') : msg('BadImage'));
    }
    throw new FlowError(msg('Generic'));
  }

  function dataUrl(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(new FlowError(msg('BadImage')));
      reader.readAsDataURL(blob);
    });
  }

  // ---- Camera and files ----

  function stopCamera() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  function controls(sec) {
    const q = (a) => sec.querySelector('[data-action="' + a + '"]');
    return {
      video: sec.querySelector('video'),
      preview: sec.querySelector('img.preview'),
      shoot: q('shoot'),
      retake: q('retake'),
      use: q('use'),
      file: q('file'),
    };
  }

  function reset(sec) {
    const c = controls(sec);
    sec.pending = null;
    c.preview.hidden = true;
    c.video.hidden = false;
    c.shoot.hidden = false;
    c.retake.hidden = true;
    c.use.hidden = true;
    if (c.file) c.file.value = '';
  }

  async function startCapture(sec) {
    reset(sec);
    const c = controls(sec);
    const selfie = sec.dataset.kind === 'selfie' || sec.dataset.kind === 'video';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      c.shoot.hidden = true;
      showError(msg('Camera'));
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: {
          facingMode: selfie ? 'user' : 'environment',
          width: { ideal: 1280 },
          height: { ideal: 960 },
        },
      });
      c.video.srcObject = stream;
      await c.video.play().catch(() => undefined);
    } catch (e) {
      c.shoot.hidden = true;
      showError(msg('Camera'));
    }
  }

  // A frame of the video as JPEG; as PNG when the JPEG would be under the size floor.
  function grabOnce(video) {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    const encode = (type, quality) =>
      new Promise((resolve) => canvas.toBlob(resolve, type, quality));
    return encode('image/jpeg', 0.95).then((jpeg) =>
      jpeg && jpeg.size >= MIN_BYTES ? jpeg : encode('image/png'));
  }

  // A camera that has just (re)started can hand over a black or blank frame, too uniform to
  // reach the size floor even as PNG: wait for a real one a few times before giving up.
  async function grab(video) {
    let blob = await grabOnce(video);
    for (let i = 0; i < 5 && (!blob || blob.size < MIN_BYTES); i += 1) {
      await wait(200);
      blob = await grabOnce(video);
    }
    return blob;
  }

  function wait(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function preview(sec, blob) {
    const c = controls(sec);
    c.preview.src = URL.createObjectURL(blob);
    c.preview.hidden = false;
    c.video.hidden = true;
    c.shoot.hidden = true;
    c.retake.hidden = false;
    c.use.hidden = false;
    c.use.focus();
  }

  async function shoot(sec) {
    const c = controls(sec);
    if (!stream) throw new FlowError(msg('Camera'));
    if (sec.dataset.kind === 'video') {
      const frames = [];
      for (let i = 0; i < VIDEO_FRAMES; i += 1) {
        frames.push(await grab(c.video));
        await wait(400);
      }
      sec.pending = { frames };
      preview(sec, frames[0]);
      return;
    }
    const blob = await grab(c.video);
    if (!blob) throw new FlowError(msg('BadImage'));
    sec.pending = { blob };
    preview(sec, blob);
  }

  function chooseFile(sec, file) {
    if (!file) return;
    if (!/^image\/(jpeg|png)$/.test(file.type)) throw new FlowError(msg('BadImage'));
    if (file.size < MIN_BYTES) throw new FlowError(msg('TooSmall'));
    if (file.size > MAX_BYTES) throw new FlowError(msg('TooLarge'));
    stopCamera();
    sec.pending = { blob: file };
    preview(sec, file);
  }

  function fileName(side, blob) {
    return side + (blob.type === 'image/png' ? '.png' : '.jpg');
  }

  // Sends the pending capture of a step; remembers what the server made of it.
  async function send(sec) {
    const pending = sec.pending;
    if (!pending) return;
    const kind = sec.dataset.kind;
    const item = main.querySelector('#progress li[data-for="' + (kind === 'document' ? 'front' : sec.dataset.step) + '"]');
    let label = item ? item.textContent : sec.querySelector('h1').textContent;
    if (kind === 'document') {
      if (!state.documentId) {
        const doc = await api('/documents', { type: state.docType, issuingCountry: state.country });
        state.documentId = doc.id;
      }
      const side = sec.dataset.side;
      await api('/documents/' + state.documentId + '/upload/' + side, {
        fileName: fileName(side, pending.blob),
        data: await dataUrl(pending.blob),
      });
      label += ' (' + msg(side === 'back' ? 'Back' : 'Front') + ')';
    } else if (kind === 'address') {
      if (!state.addressDocumentId) {
        const type = document.getElementById('address-type').value;
        const doc = await api('/documents', { type });
        state.addressDocumentId = doc.id;
      }
      await api('/documents/' + state.addressDocumentId + '/upload/front', {
        fileName: fileName('front', pending.blob),
        data: await dataUrl(pending.blob),
      });
    } else if (kind === 'selfie') {
      const photo = await api('/livePhotos', { data: await dataUrl(pending.blob) });
      state.livePhotoId = photo.id;
    } else if (kind === 'video') {
      const frames = [];
      for (const f of pending.frames) frames.push(await dataUrl(f));
      const video = await api('/liveVideos', { frames });
      state.liveVideoId = video.id;
    }
    const blob = pending.blob || pending.frames[0];
    state.images = state.images.filter((i) => i.step !== sec.dataset.step);
    state.images.push({ step: sec.dataset.step, label, url: URL.createObjectURL(blob) });
  }

  function fillReview() {
    const thumbs = document.getElementById('thumbs');
    thumbs.textContent = '';
    state.images.forEach((image) => {
      const figure = document.createElement('figure');
      const img = document.createElement('img');
      img.src = image.url;
      img.alt = image.label;
      const caption = document.createElement('figcaption');
      caption.textContent = image.label;
      figure.append(img, caption);
      thumbs.append(figure);
    });
  }

  // ---- The document choice ----

  function fillCountries() {
    const checked = main.querySelector('input[name="doc-type"]:checked');
    const select = document.getElementById('country');
    if (!checked || !select) return;
    const keep = select.value;
    const names = typeof Intl.DisplayNames === 'function'
      ? new Intl.DisplayNames([lang], { type: 'region' })
      : null;
    const label = (code) => {
      try {
        return (names && names.of(code)) || code;
      } catch (e) {
        return code;
      }
    };
    const codes = Object.keys(supported[checked.value] || {})
      .map((code) => [code, label(code)])
      .sort((a, b) => a[1].localeCompare(b[1], lang));
    select.querySelectorAll('option:not([value=""])').forEach((o) => o.remove());
    codes.forEach(([code, name]) => {
      const option = document.createElement('option');
      option.value = code;
      option.textContent = name;
      select.append(option);
    });
    select.value = codes.some(([code]) => code === keep) ? keep : '';
  }

  // ---- Actions ----

  async function act(action, sec, button) {
    const step = sec.dataset.step;
    if (action === 'consent') {
      if (!document.getElementById('consent-box').checked) throw new FlowError(msg('Consent'));
      next(step);
    } else if (action === 'document') {
      const checked = main.querySelector('input[name="doc-type"]:checked');
      const country = document.getElementById('country').value;
      if (!checked || !country) throw new FlowError(msg('Choose'));
      state.docType = checked.value;
      state.country = country;
      state.sides = Number((supported[state.docType] || {})[country]) === 2 ? 2 : 1;
      next(step);
    } else if (action === 'shoot') {
      await shoot(sec);
    } else if (action === 'retake') {
      startCapture(sec);
    } else if (action === 'use') {
      button.disabled = true;
      try {
        await send(sec);
      } finally {
        button.disabled = false;
      }
      const following = steps()[steps().indexOf(step) + 1];
      if (following === 'review') fillReview();
      next(step);
    } else if (action === 'finish') {
      button.disabled = true;
      try {
        const done = await api('/finish', {
          consent: true,
          documentId: state.documentId,
          addressDocumentId: state.addressDocumentId,
          livePhotoId: state.livePhotoId,
          liveVideoId: state.liveVideoId,
        });
        show('done');
        setTimeout(() => location.assign(done.redirectUrl), 800);
      } catch (e) {
        button.disabled = false;
        throw e;
      }
    }
  }

  main.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const sec = button.closest('section[data-step]');
    showError('');
    act(button.dataset.action, sec, button).catch((e) => {
      showError(e instanceof FlowError ? e.message : msg('Generic'));
    });
  });

  // Cancel tells the server (the link closes, a workflow session is cancelled) before leaving;
  // the link still leads to cancelUrl if that request fails.
  const cancelLink = document.getElementById('cancel');
  if (cancelLink) {
    cancelLink.addEventListener('click', (event) => {
      event.preventDefault();
      const leave = () => location.assign(cancelLink.href);
      fetch(base + '/cancel', { method: 'POST', credentials: 'same-origin', keepalive: true })
        .then(leave, leave);
    });
  }

  main.addEventListener('change', (event) => {
    const target = event.target;
    if (target.name === 'doc-type') fillCountries();
    if (target.dataset && target.dataset.action === 'file') {
      try {
        showError('');
        chooseFile(target.closest('section[data-step]'), target.files && target.files[0]);
      } catch (e) {
        target.value = '';
        showError(e instanceof FlowError ? e.message : msg('Generic'));
      }
    }
  });

  fillCountries();
  show('consent');
})();
