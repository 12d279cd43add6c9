import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { OrderView, PlaceResult } from '@exchange/client';
import { PLACE_ORDER_SCHEMA, type AmendResult } from '@exchange/gateway';
import { Access } from '../auth/auth.guard';
import { validated } from '../http/api-exception';
import type { ApiRequest } from '../http/raw-body';
import { ReadService } from '../trading/read.service';
import { TradingService } from '../trading/trading.service';
import { checkQuery, intParam, optionalString, pageLimit } from './query';

const account = (req: ApiRequest): number => req.auth!.accountId;
const orderIdParam = (v: string) => intParam(v, 'orderId', 1, Number.MAX_SAFE_INTEGER);

/** Order entry and the account's orders. Mutations need the trade scope, reads the read scope. */
@Controller('v1/orders')
export class OrdersController {
  constructor(
    private readonly trading: TradingService,
    private readonly reads: ReadService,
  ) {}

  @Post()
  @Access('trade')
  @HttpCode(201)
  place(@Req() req: ApiRequest, @Body() body: unknown): Promise<PlaceResult> {
    return this.trading.place(account(req), validated(PLACE_ORDER_SCHEMA, body));
  }

  @Delete()
  @Access('trade')
  cancelAll(@Req() req: ApiRequest, @Query() q: Record<string, unknown>) {
    checkQuery(q, ['instrument']);
    return this.trading.cancelAll(account(req), optionalString(q.instrument));
  }

  @Get('open')
  @Access('read')
  open(@Req() req: ApiRequest, @Query() q: Record<string, unknown>): Promise<OrderView[]> {
    checkQuery(q, ['instrument']);
    return this.reads.openOrders(account(req), optionalString(q.instrument));
  }

  @Get('history')
  @Access('read')
  history(@Req() req: ApiRequest, @Query() q: Record<string, unknown>): Promise<OrderView[]> {
    checkQuery(q, ['instrument', 'limit', 'beforeOrderId']);
    return this.reads.orderHistory(account(req), {
      instrument: optionalString(q.instrument),
      limit: pageLimit(q.limit),
      beforeOrderId: q.beforeOrderId === undefined ? undefined : orderIdParam(q.beforeOrderId as string),
    });
  }

  @Patch('by-client-id/:clientOrderId')
  @Access('trade')
  amendByClientId(
    @Req() req: ApiRequest,
    @Param('clientOrderId') cid: string,
    @Body() body: unknown,
  ): Promise<AmendResult> {
    return this.trading.amend(account(req), { clientOrderId: cid }, body);
  }

  @Delete('by-client-id/:clientOrderId')
  @Access('trade')
  cancelByClientId(@Req() req: ApiRequest, @Param('clientOrderId') cid: string) {
    return this.trading.cancel(account(req), { clientOrderId: cid });
  }

  @Get(':orderId')
  @Access('read')
  one(@Req() req: ApiRequest, @Param('orderId') orderId: string): Promise<OrderView> {
    return this.reads.order(account(req), orderIdParam(orderId));
  }

  @Patch(':orderId')
  @Access('trade')
  amend(
    @Req() req: ApiRequest,
    @Param('orderId') orderId: string,
    @Body() body: unknown,
  ): Promise<AmendResult> {
    return this.trading.amend(account(req), { orderId: orderIdParam(orderId) }, body);
  }

  @Delete(':orderId')
  @Access('trade')
  cancel(@Req() req: ApiRequest, @Param('orderId') orderId: string) {
    return this.trading.cancel(account(req), { orderId: orderIdParam(orderId) });
  }
}
