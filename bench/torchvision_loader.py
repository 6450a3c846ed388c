# The peer of `npm run bench -- --data`: torchvision's ImageFolder + DataLoader with the
# reference's ImageNet training transforms (RandomResizedCrop(size), RandomHorizontalFlip(),
# ToTensor(), Normalize(mean, std)), W worker processes, batch B, shuffled. Prints one JSON
# line: images decoded and augmented per second, after one warm-up pass over `warmup` batches.
#   python3 torchvision_loader.py DIR --workers W --size 224 --batch 64 --batches N
import argparse, json, time
import torch
from torchvision import datasets, transforms

p = argparse.ArgumentParser()
p.add_argument('dir')
p.add_argument('--workers', type=int, default=2)
p.add_argument('--size', type=int, default=224)
p.add_argument('--batch', type=int, default=64)
p.add_argument('--batches', type=int, default=30)
p.add_argument('--warmup', type=int, default=3)
a = p.parse_args()
torch.set_num_threads(1)
t = transforms.Compose([
    transforms.RandomResizedCrop(a.size),
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])
ds = datasets.ImageFolder(a.dir, t)
loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers, persistent_workers=a.workers > 0, prefetch_factor=2 if a.workers > 0 else None)
it = iter(loader)
for _ in range(a.warmup):
    next(it)
n = 0
t0 = time.perf_counter()
for _ in range(a.batches):
    try:
        x, y = next(it)
    except StopIteration:
        it = iter(loader)
        x, y = next(it)
    n += x.shape[0]
dt = time.perf_counter() - t0
print(json.dumps({'images': n, 'seconds': dt, 'images_per_second': n / dt, 'workers': a.workers, 'torch': torch.__version__}))
