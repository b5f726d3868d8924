"""A PyTorch estimator's entry point: a tiny regression, saved as a state dict and as TorchScript model.pt."""
import argparse
import json
import os

import torch
import transformers  # from requirements.txt, installed by the training toolkit at start

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=50)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

torch.manual_seed(0)
x = torch.rand(256, 2)
y = (3 * x[:, 0] - 2 * x[:, 1]).unsqueeze(1)
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
for epoch in range(args.epochs):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
print("loss=%.5f;" % loss.item())
model_dir = os.environ["SM_MODEL_DIR"]
torch.jit.script(model).save(os.path.join(model_dir, "model.pt"))
with open(os.path.join(model_dir, "environment.json"), "w") as handle:
    json.dump(
        {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "num_gpus": int(os.environ["SM_NUM_GPUS"]),
            "num_cpus": int(os.environ["SM_NUM_CPUS"]),
            "hosts": json.loads(os.environ["SM_HOSTS"]),
            "current_host": os.environ["SM_CURRENT_HOST"],
            "epochs": args.epochs,
        },
        handle,
    )
